-- Each job records the model it was asked to run on (an id from COMFYUI_MODELS) and its display name
-- then. Older jobs keep the empty string: they ran on whatever the template held.
ALTER TABLE "jobs" ADD COLUMN "model" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "jobs" ADD COLUMN "model_name" text DEFAULT '' NOT NULL;