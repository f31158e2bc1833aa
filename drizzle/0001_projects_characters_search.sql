ALTER TABLE "jobs" ADD COLUMN "character_ids" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "character_names" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "loras" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "search_vector" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple', coalesce(prompt_sent, '') || ' ' || coalesce(character_names, ''))) STORED;--> statement-breakpoint
CREATE UNIQUE INDEX "characters_project_name_ci" ON "characters" USING btree ("space_id","project_id",lower("name")) WHERE project_id IS NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "characters_space_name_ci" ON "characters" USING btree ("space_id",lower("name")) WHERE project_id IS NULL;--> statement-breakpoint
CREATE INDEX "jobs_search_vector" ON "jobs" USING gin ("search_vector");--> statement-breakpoint
CREATE INDEX "jobs_characters" ON "jobs" USING gin ("character_ids" jsonb_path_ops);--> statement-breakpoint
CREATE INDEX "jobs_gallery_project" ON "jobs" USING btree ("project_id","created_at","id") WHERE status = 'completed';--> statement-breakpoint
CREATE INDEX "jobs_gallery_space" ON "jobs" USING btree ("space_id","created_at","id") WHERE status = 'completed';