CREATE TABLE "catalog_state" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"version" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "catalog_state_one_row" CHECK ("catalog_state"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE "conversation_votes" (
	"conversation" text NOT NULL,
	"track_id" integer NOT NULL,
	"vote" smallint NOT NULL,
	"voted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "conversation_votes_conversation_track_id_pk" PRIMARY KEY("conversation","track_id"),
	CONSTRAINT "conversation_votes_vote" CHECK ("conversation_votes"."vote" in (1, -1))
);
--> statement-breakpoint
CREATE TABLE "seen_events" (
	"key" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "seen_events_expires_idx" ON "seen_events" USING btree ("expires_at");--> statement-breakpoint
-- The catalogue's version: one row, bumped after every statement that changes tracks, and
-- announced with NOTIFY synesthete_catalog (payload: the new version). Running engines follow it.
INSERT INTO "catalog_state" ("id", "version") VALUES (1, 0) ON CONFLICT DO NOTHING;--> statement-breakpoint
CREATE FUNCTION "synesthete_catalog_changed"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  next bigint;
BEGIN
  UPDATE "catalog_state" SET "version" = "version" + 1 WHERE "id" = 1 RETURNING "version" INTO next;
  PERFORM pg_notify('synesthete_catalog', next::text);
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "tracks_changed" AFTER INSERT OR UPDATE OR DELETE ON "tracks"
  FOR EACH STATEMENT EXECUTE FUNCTION "synesthete_catalog_changed"();
