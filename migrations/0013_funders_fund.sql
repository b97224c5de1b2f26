ALTER TYPE "public"."role" ADD VALUE 'funder_viewer';--> statement-breakpoint
ALTER TYPE "public"."organisation_kind" ADD VALUE 'funder';--> statement-breakpoint
CREATE TABLE "fund_allocations" (
	"year" integer NOT NULL,
	"programme_id" uuid NOT NULL,
	"share_percent" integer NOT NULL,
	"decided_by_user_id" uuid NOT NULL,
	"decided_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fund_allocations_year_programme_id_pk" PRIMARY KEY("year","programme_id"),
	CONSTRAINT "fund_allocations_share" CHECK ("fund_allocations"."share_percent" between 1 and 100)
);
--> statement-breakpoint
CREATE TABLE "fund_contributions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"funder_organisation_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"amount_cents" bigint NOT NULL,
	"convention_reference" text NOT NULL,
	"signed_on" date NOT NULL,
	"recorded_by_user_id" uuid NOT NULL,
	"recorded_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "fund_contributions_amount" CHECK ("fund_contributions"."amount_cents" > 0)
);
--> statement-breakpoint
ALTER TABLE "handovers" ADD COLUMN "solidarity_price_cents" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "fund_allocations" ADD CONSTRAINT "fund_allocations_programme_id_programmes_id_fk" FOREIGN KEY ("programme_id") REFERENCES "public"."programmes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fund_allocations" ADD CONSTRAINT "fund_allocations_decided_by_user_id_users_id_fk" FOREIGN KEY ("decided_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fund_contributions" ADD CONSTRAINT "fund_contributions_funder_organisation_id_organisations_id_fk" FOREIGN KEY ("funder_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fund_contributions" ADD CONSTRAINT "fund_contributions_recorded_by_user_id_users_id_fk" FOREIGN KEY ("recorded_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "fund_contributions_funder_organisation_id_year_convention_reference_index" ON "fund_contributions" USING btree ("funder_organisation_id","year","convention_reference");--> statement-breakpoint
CREATE INDEX "fund_contributions_year_index" ON "fund_contributions" USING btree ("year");