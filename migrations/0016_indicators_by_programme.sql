ALTER TABLE "indicator_rollups" ADD COLUMN "programme_id" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "indicator_rollups" DROP CONSTRAINT "indicator_rollups_pk";
--> statement-breakpoint
ALTER TABLE "indicator_rollups" ADD CONSTRAINT "indicator_rollups_pk" PRIMARY KEY("month","commune_code","organisation_id","device_kind","programme_id","indicator","detail");