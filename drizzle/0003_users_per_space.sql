-- Users become one row per identity per space (docs/decisions.md): a name chosen by an API token's
-- issuer, and a chat user's limits, jobs and memberships, belong to the space they were used in.
-- Each space a row was used in gets a row of its own: the space it was first used in keeps the
-- original id (so its Redis limit keys stay its own); every other space gets a copy, and that
-- space's jobs, memberships, authorship and audit entries move to the copy. Pending slots of jobs
-- in flight in such a second space stay on the original key until they go stale.
-- A row used in no space yet (e.g. made and never used) goes to its platform's oldest space.
DROP INDEX "users_platform_external";--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "space_id" uuid;--> statement-breakpoint
CREATE TABLE "users_split_0003" AS
SELECT "used"."user_id" AS "old_id", "used"."space_id",
  CASE WHEN row_number() OVER (PARTITION BY "used"."user_id" ORDER BY min("used"."at"), "used"."space_id") = 1
    THEN "used"."user_id" ELSE gen_random_uuid() END AS "new_id"
FROM (
  SELECT "user_id", "space_id", "created_at" AS "at" FROM "jobs"
  UNION ALL SELECT pm."user_id", p."space_id", p."created_at" FROM "project_members" pm JOIN "projects" p ON p."id" = pm."project_id"
  UNION ALL SELECT "created_by", "space_id", "created_at" FROM "projects" WHERE "created_by" IS NOT NULL
  UNION ALL SELECT "created_by", "space_id", "created_at" FROM "characters" WHERE "created_by" IS NOT NULL
  UNION ALL SELECT "actor_user_id", "space_id", "created_at" FROM "audit_log" WHERE "actor_user_id" IS NOT NULL AND "space_id" IS NOT NULL
) AS "used"
GROUP BY "used"."user_id", "used"."space_id";--> statement-breakpoint
INSERT INTO "users" ("id", "space_id", "platform", "external_id", "display_name", "created_at")
SELECT s."new_id", s."space_id", u."platform", u."external_id", u."display_name", u."created_at"
FROM "users_split_0003" s JOIN "users" u ON u."id" = s."old_id"
WHERE s."new_id" <> s."old_id";--> statement-breakpoint
UPDATE "users" SET "space_id" = s."space_id" FROM "users_split_0003" s WHERE s."old_id" = "users"."id" AND s."new_id" = "users"."id";--> statement-breakpoint
UPDATE "jobs" SET "user_id" = s."new_id" FROM "users_split_0003" s
WHERE "jobs"."user_id" = s."old_id" AND "jobs"."space_id" = s."space_id" AND s."new_id" <> s."old_id";--> statement-breakpoint
UPDATE "project_members" SET "user_id" = s."new_id" FROM "users_split_0003" s, "projects" p
WHERE p."id" = "project_members"."project_id" AND "project_members"."user_id" = s."old_id" AND p."space_id" = s."space_id" AND s."new_id" <> s."old_id";--> statement-breakpoint
UPDATE "projects" SET "created_by" = s."new_id" FROM "users_split_0003" s
WHERE "projects"."created_by" = s."old_id" AND "projects"."space_id" = s."space_id" AND s."new_id" <> s."old_id";--> statement-breakpoint
UPDATE "characters" SET "created_by" = s."new_id" FROM "users_split_0003" s
WHERE "characters"."created_by" = s."old_id" AND "characters"."space_id" = s."space_id" AND s."new_id" <> s."old_id";--> statement-breakpoint
UPDATE "audit_log" SET "actor_user_id" = s."new_id" FROM "users_split_0003" s
WHERE "audit_log"."actor_user_id" = s."old_id" AND "audit_log"."space_id" = s."space_id" AND s."new_id" <> s."old_id";--> statement-breakpoint
UPDATE "api_tokens" SET "issued_by" = s."new_id"::text FROM "users_split_0003" s
WHERE "api_tokens"."issued_by" = s."old_id"::text AND "api_tokens"."space_id" = s."space_id" AND s."new_id" <> s."old_id";--> statement-breakpoint
UPDATE "users" SET "space_id" = (SELECT sp."id" FROM "spaces" sp WHERE sp."platform" = "users"."platform" ORDER BY sp."created_at", sp."id" LIMIT 1)
WHERE "space_id" IS NULL;--> statement-breakpoint
UPDATE "audit_log" SET "actor_user_id" = NULL WHERE "actor_user_id" IN (SELECT "id" FROM "users" WHERE "space_id" IS NULL);--> statement-breakpoint
DELETE FROM "users" WHERE "space_id" IS NULL;--> statement-breakpoint
DROP TABLE "users_split_0003";--> statement-breakpoint
ALTER TABLE "users" ALTER COLUMN "space_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_space_id_spaces_id_fk" FOREIGN KEY ("space_id") REFERENCES "public"."spaces"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "users_space_platform_external" ON "users" USING btree ("space_id","platform","external_id");
