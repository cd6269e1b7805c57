CREATE TABLE "tracks" (
	"id" serial PRIMARY KEY NOT NULL,
	"source_path" text NOT NULL,
	"content_hash" text NOT NULL,
	"title" text,
	"artist" text,
	"album" text,
	"genre" text,
	"duration_s" real,
	"embedding" real[],
	"window_embeddings" real[],
	"window_count" integer DEFAULT 0 NOT NULL,
	"descriptors" jsonb,
	"model_version" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tracks_source_path_unique" UNIQUE("source_path")
);
--> statement-breakpoint
CREATE INDEX "tracks_content_hash_idx" ON "tracks" USING btree ("content_hash");