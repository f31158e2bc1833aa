ALTER TABLE "jobs" ADD COLUMN "parent_job_id" uuid;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "parent_output" integer;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "parent_relation" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_parent_job_id_jobs_id_fk" FOREIGN KEY ("parent_job_id") REFERENCES "public"."jobs"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "jobs_parent" ON "jobs" USING btree ("parent_job_id","created_at") WHERE parent_job_id IS NOT NULL;