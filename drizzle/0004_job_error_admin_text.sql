-- The backend's own account of a job's failure (an exception's text), kept for admins apart from the
-- details users' words are made from (error_message now holds those details as JSON).
ALTER TABLE "jobs" ADD COLUMN "error_admin_text" text;