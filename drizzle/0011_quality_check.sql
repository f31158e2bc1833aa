ALTER TABLE "jobs" ADD COLUMN "quality_retried" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "quality_problems" text[];