CREATE TABLE "retired_device_stocks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"devices" integer NOT NULL,
	"updated_by_user_id" uuid,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "retired_device_stocks_devices" CHECK ("retired_device_stocks"."devices" >= 0)
);
--> statement-breakpoint
CREATE TABLE "reuse_attestations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"statement" jsonb NOT NULL,
	"digest" text NOT NULL,
	"signature" text NOT NULL,
	"issued_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "donations" ADD COLUMN "reuse_commitment_reference" text;--> statement-breakpoint
ALTER TABLE "donations" ADD COLUMN "reuse_commitment_date" date;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "siren" text;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "public_body" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "retired_device_stocks" ADD CONSTRAINT "retired_device_stocks_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retired_device_stocks" ADD CONSTRAINT "retired_device_stocks_updated_by_user_id_users_id_fk" FOREIGN KEY ("updated_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reuse_attestations" ADD CONSTRAINT "reuse_attestations_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "retired_device_stocks_organisation_id_year_index" ON "retired_device_stocks" USING btree ("organisation_id","year");--> statement-breakpoint
CREATE UNIQUE INDEX "reuse_attestations_organisation_id_year_digest_index" ON "reuse_attestations" USING btree ("organisation_id","year","digest");--> statement-breakpoint
CREATE INDEX "reuse_attestations_organisation_id_year_issued_at_index" ON "reuse_attestations" USING btree ("organisation_id","year","issued_at");--> statement-breakpoint
ALTER TABLE "donations" ADD CONSTRAINT "donations_reuse_commitment_whole" CHECK (("donations"."reuse_commitment_reference" is null) = ("donations"."reuse_commitment_date" is null));--> statement-breakpoint
ALTER TABLE "organisations" ADD CONSTRAINT "organisations_siren_format" CHECK ("organisations"."siren" ~ '^[0-9]{9}$');--> statement-breakpoint
ALTER TABLE "organisations" ADD CONSTRAINT "organisations_public_body_has_siren" CHECK (not "organisations"."public_body" or "organisations"."siren" is not null);