CREATE INDEX "job_attempts_ended" ON "job_attempts" USING btree ("ended_at");--> statement-breakpoint
CREATE INDEX "jobs_finished" ON "jobs" USING btree ("finished_at") WHERE finished_at IS NOT NULL;