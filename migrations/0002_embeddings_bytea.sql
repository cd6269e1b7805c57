-- The embeddings become float32 values stored as bytea, little-endian (core/catalog/schema.ts
-- `float32Bytes`); existing rows are converted in place. float4send gives a value's 4 bytes
-- big-endian (PostgreSQL's binary send format), reversed here; NULL stays NULL, '{}' becomes ''.
CREATE FUNCTION "synesthete_float32_le"("vec" real[]) RETURNS bytea LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT coalesce(
    string_agg(
      substring(b FROM 4 FOR 1) || substring(b FROM 3 FOR 1) || substring(b FROM 2 FOR 1) || substring(b FROM 1 FOR 1),
      ''::bytea ORDER BY i
    ),
    ''::bytea
  )
  FROM unnest("vec") WITH ORDINALITY AS u(x, i), LATERAL float4send(x) AS b
$$;--> statement-breakpoint
ALTER TABLE "tracks" ALTER COLUMN "embedding" SET DATA TYPE bytea USING "synesthete_float32_le"("embedding");--> statement-breakpoint
ALTER TABLE "tracks" ALTER COLUMN "window_embeddings" SET DATA TYPE bytea USING "synesthete_float32_le"("window_embeddings");--> statement-breakpoint
DROP FUNCTION "synesthete_float32_le"(real[]);
