CREATE TABLE "job_workflows" (
	"job_id" uuid PRIMARY KEY NOT NULL,
	"attempt" integer NOT NULL,
	"backend" text NOT NULL,
	"template" text NOT NULL,
	"template_version" text NOT NULL,
	"workflow" jsonb NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
DROP INDEX "assets_storage_key";--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "recipe_key" text;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "template_version" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "reused_from" uuid;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "always_render" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "job_workflows" ADD CONSTRAINT "job_workflows_job_id_jobs_id_fk" FOREIGN KEY ("job_id") REFERENCES "public"."jobs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "jobs_recipe_done" ON "jobs" USING btree ("space_id","recipe_key","finished_at") WHERE status = 'completed' AND recipe_key IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "jobs_recipe_inflight" ON "jobs" USING btree ("project_id","recipe_key") WHERE status IN ('queued', 'running') AND reused_from IS NULL AND NOT always_render AND recipe_key IS NOT NULL;--> statement-breakpoint
CREATE INDEX "jobs_waiting_on" ON "jobs" USING btree ("reused_from") WHERE reused_from IS NOT NULL AND status = 'queued';--> statement-breakpoint
CREATE INDEX "assets_storage_key" ON "assets" USING btree ("storage_key");