CREATE TABLE "indicator_counted_events" (
	"source" text NOT NULL,
	"event_id" bigint NOT NULL,
	"counted_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "indicator_counted_events_source_event_id_pk" PRIMARY KEY("source","event_id"),
	CONSTRAINT "indicator_counted_events_source" CHECK ("indicator_counted_events"."source" in ('device', 'request', 'deployment'))
);
--> statement-breakpoint
CREATE TABLE "indicator_rollups" (
	"month" date NOT NULL,
	"commune_code" text NOT NULL,
	"organisation_id" uuid NOT NULL,
	"device_kind" text NOT NULL,
	"indicator" text NOT NULL,
	"detail" text NOT NULL,
	"count" integer NOT NULL,
	CONSTRAINT "indicator_rollups_pk" PRIMARY KEY("month","commune_code","organisation_id","device_kind","indicator","detail"),
	CONSTRAINT "indicator_rollups_commune_code_format" CHECK ("indicator_rollups"."commune_code" ~ '^([0-9]{2}|2A|2B)[0-9]{3}$'),
	CONSTRAINT "indicator_rollups_first_of_month" CHECK (extract(day from "indicator_rollups"."month") = 1)
);
--> statement-breakpoint
ALTER TABLE "indicator_rollups" ADD CONSTRAINT "indicator_rollups_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "indicator_rollups_organisation_id_month_index" ON "indicator_rollups" USING btree ("organisation_id","month");