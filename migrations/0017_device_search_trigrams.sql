-- PostgreSQL's own trigram extension (contrib, in every Debian PostgreSQL and in embedded-postgres).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "devices_search_trigram_index" ON "devices" USING gin ((("brand" || ' ' || "model" || ' ' || coalesce("serial_number", ''))) gin_trgm_ops);
