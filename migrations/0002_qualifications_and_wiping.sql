CREATE TYPE "public"."qualification_kind" AS ENUM('data_wiping', 'refurbishment');--> statement-breakpoint
CREATE TYPE "public"."sanitization_level" AS ENUM('clear', 'purge', 'destroy');--> statement-breakpoint
CREATE TYPE "public"."storage_type" AS ENUM('hdd', 'ssd', 'nvme', 'emmc', 'other');--> statement-breakpoint
CREATE TYPE "public"."verification_method" AS ENUM('none', 'sampled', 'full');--> statement-breakpoint
CREATE TYPE "public"."wipe_result" AS ENUM('passed', 'failed');--> statement-breakpoint
CREATE TYPE "public"."wipe_technique" AS ENUM('overwrite', 'ata_secure_erase', 'nvme_sanitize', 'nvme_format', 'crypto_erase', 'block_erase', 'physical_destruction', 'storage_removed');--> statement-breakpoint
CREATE TABLE "qualifications" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"kind" "qualification_kind" NOT NULL,
	"issuer" text NOT NULL,
	"issued_on" date NOT NULL,
	"expires_on" date NOT NULL,
	"recorded_by_user_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "wipe_certificates" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"device_id" uuid NOT NULL,
	"event_id" bigint NOT NULL,
	"statement" jsonb NOT NULL,
	"signature" text NOT NULL,
	"file_id" uuid,
	"issued_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wipe_certificates_eventId_unique" UNIQUE("event_id")
);
--> statement-breakpoint
CREATE TABLE "wipe_records" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"device_id" uuid NOT NULL,
	"medium_index" integer NOT NULL,
	"medium_type" "storage_type" NOT NULL,
	"medium_model" text,
	"medium_serial" text,
	"capacity_gb" real,
	"level" "sanitization_level" NOT NULL,
	"technique" "wipe_technique" NOT NULL,
	"passes" integer,
	"pattern" text,
	"tool_name" text NOT NULL,
	"tool_version" text,
	"verification" "verification_method" NOT NULL,
	"result" "wipe_result" NOT NULL,
	"failure_reason" text,
	"started_at" timestamp (3) with time zone NOT NULL,
	"ended_at" timestamp (3) with time zone NOT NULL,
	"operator_user_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"source" text DEFAULT 'manual' NOT NULL,
	"log_file_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wipe_records_times" CHECK ("wipe_records"."ended_at" >= "wipe_records"."started_at"),
	CONSTRAINT "wipe_records_medium_index" CHECK ("wipe_records"."medium_index" >= 0)
);
--> statement-breakpoint
ALTER TABLE "qualifications" ADD CONSTRAINT "qualifications_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "qualifications" ADD CONSTRAINT "qualifications_recorded_by_user_id_users_id_fk" FOREIGN KEY ("recorded_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wipe_certificates" ADD CONSTRAINT "wipe_certificates_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wipe_certificates" ADD CONSTRAINT "wipe_certificates_event_id_device_events_id_fk" FOREIGN KEY ("event_id") REFERENCES "public"."device_events"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wipe_certificates" ADD CONSTRAINT "wipe_certificates_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wipe_records" ADD CONSTRAINT "wipe_records_device_id_devices_id_fk" FOREIGN KEY ("device_id") REFERENCES "public"."devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wipe_records" ADD CONSTRAINT "wipe_records_operator_user_id_users_id_fk" FOREIGN KEY ("operator_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wipe_records" ADD CONSTRAINT "wipe_records_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wipe_records" ADD CONSTRAINT "wipe_records_log_file_id_files_id_fk" FOREIGN KEY ("log_file_id") REFERENCES "public"."files"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "qualifications_user_id_kind_index" ON "qualifications" USING btree ("user_id","kind");--> statement-breakpoint
CREATE INDEX "wipe_records_device_id_medium_index_index" ON "wipe_records" USING btree ("device_id","medium_index");