CREATE TYPE "public"."work_order_status" AS ENUM('open', 'completed', 'abandoned');--> statement-breakpoint
CREATE TABLE "spare_parts" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"description" text NOT NULL,
	"from_device_id" uuid,
	"used_in_work_order_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "work_orders" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"device_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"site_id" uuid NOT NULL,
	"status" "work_order_status" DEFAULT 'open' NOT NULL,
	"need" text,
	"checklist" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"parts_fitted" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"operating_system" jsonb,
	"specs" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"cosmetic" text,
	"suggested_grade" text,
	"grade" text,
	"grade_override_reason" text,
	"minutes_spent" integer DEFAULT 0 NOT NULL,
	"opened_by_user_id" uuid NOT NULL,
	"completed_by_user_id" uuid,
	"opened_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp (3) with time zone,
	CONSTRAINT "work_orders_grade" CHECK ("work_orders"."grade" is null or "work_orders"."grade" in ('A', 'B', 'C')),
	CONSTRAINT "work_orders_minutes" CHECK ("work_orders"."minutes_spent" >= 0)
);
--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "grade" text;--> statement-breakpoint
ALTER TABLE "devices" ADD COLUMN "specs" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "spare_parts" ADD CONSTRAINT "spare_parts_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "spare_parts" ADD CONSTRAINT "spare_parts_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "spare_parts" ADD CONSTRAINT "spare_parts_from_device_id_devices_id_fk" FOREIGN KEY ("from_device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "spare_parts" ADD CONSTRAINT "spare_parts_used_in_work_order_id_work_orders_id_fk" FOREIGN KEY ("used_in_work_order_id") REFERENCES "public"."work_orders"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_site_id_sites_id_fk" FOREIGN KEY ("site_id") REFERENCES "public"."sites"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_opened_by_user_id_users_id_fk" FOREIGN KEY ("opened_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_orders" ADD CONSTRAINT "work_orders_completed_by_user_id_users_id_fk" FOREIGN KEY ("completed_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "work_orders_device_id_index" ON "work_orders" USING btree ("device_id");--> statement-breakpoint
CREATE UNIQUE INDEX "work_orders_one_open" ON "work_orders" USING btree ("device_id") WHERE "work_orders"."status" = 'open';