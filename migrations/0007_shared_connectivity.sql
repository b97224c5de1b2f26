CREATE TYPE "public"."cost_recovery" AS ENUM('rent', 'service_charge', 'collective_agreement', 'subsidy', 'none');--> statement-breakpoint
CREATE TYPE "public"."deployment_status" AS ENUM('planned', 'surveyed', 'box_installed', 'access_points_installed', 'provisioned', 'live', 'suspended');--> statement-breakpoint
CREATE TYPE "public"."filtering_policy" AS ENUM('none', 'malware', 'malware_and_adult');--> statement-breakpoint
CREATE TYPE "public"."network_device_kind" AS ENUM('building_box', 'access_point');--> statement-breakpoint
CREATE TYPE "public"."passphrase_reveal_channel" AS ENUM('screen', 'letter', 'access_point_config');--> statement-breakpoint
CREATE TYPE "public"."security_mode" AS ENUM('wpa2_personal', 'wpa2_wpa3_transition', 'wpa3_sae');--> statement-breakpoint
CREATE TYPE "public"."incident_category" AS ENUM('no_signal', 'slow', 'ap_down', 'box_down', 'other');--> statement-breakpoint
CREATE TYPE "public"."incident_status" AS ENUM('open', 'in_progress', 'resolved', 'closed');--> statement-breakpoint
CREATE TYPE "public"."apartment_status" AS ENUM('planned', 'provisioned', 'credentials_delivered', 'in_use', 'not_in_use', 'suspended');--> statement-breakpoint
CREATE TYPE "public"."opt_in_status" AS ENUM('unknown', 'in', 'out');--> statement-breakpoint
ALTER TYPE "public"."job_kind" ADD VALUE 'wifi_provisioning';--> statement-breakpoint
ALTER TYPE "public"."job_kind" ADD VALUE 'wifi_outputs';--> statement-breakpoint
ALTER TYPE "public"."label_batch_source" ADD VALUE 'equipment';--> statement-breakpoint
CREATE TABLE "deployment_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "deployment_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"deployment_id" uuid NOT NULL,
	"from_status" "deployment_status",
	"to_status" "deployment_status" NOT NULL,
	"actor_user_id" uuid,
	"organisation_id" uuid,
	"note" text,
	"occurred_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "deployments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"building_id" uuid NOT NULL,
	"isp_organisation_id" uuid,
	"status" "deployment_status" DEFAULT 'planned' NOT NULL,
	"suspended_from" "deployment_status",
	"suspended_reason" text,
	"box_id" uuid,
	"security_mode" "security_mode" DEFAULT 'wpa2_wpa3_transition' NOT NULL,
	"filtering" "filtering_policy" DEFAULT 'malware' NOT NULL,
	"monthly_cost_cents" integer,
	"cost_starts_on" date,
	"cost_recovery" "cost_recovery",
	"ssid_pattern" text DEFAULT '{residence}-{unit}' NOT NULL,
	"passphrase_length" integer DEFAULT 12 NOT NULL,
	"support_contact" text,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "deployments_cost_positive" CHECK ("deployments"."monthly_cost_cents" >= 0),
	CONSTRAINT "deployments_passphrase_length" CHECK ("deployments"."passphrase_length" between 8 and 63)
);
--> statement-breakpoint
CREATE TABLE "network_devices" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"asset_code" text NOT NULL,
	"organisation_id" uuid NOT NULL,
	"building_id" uuid NOT NULL,
	"kind" "network_device_kind" NOT NULL,
	"model" text NOT NULL,
	"serial_number" text,
	"mac_address" text,
	"floor" integer,
	"ssids_per_radio" integer DEFAULT 8 NOT NULL,
	"radios" integer DEFAULT 2 NOT NULL,
	"installed_by_user_id" uuid,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "network_devices_floor_for_access_points" CHECK (("network_devices"."kind" = 'access_point') = ("network_devices"."floor" is not null)),
	CONSTRAINT "network_devices_mac_format" CHECK ("network_devices"."mac_address" ~ '^([0-9A-F]{2}:){5}[0-9A-F]{2}$'),
	CONSTRAINT "network_devices_ssids_range" CHECK ("network_devices"."ssids_per_radio" between 1 and 64 and "network_devices"."radios" between 1 and 4)
);
--> statement-breakpoint
CREATE TABLE "passphrase_reveals" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "passphrase_reveals_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"organisation_id" uuid NOT NULL,
	"building_id" uuid NOT NULL,
	"apartment_id" uuid,
	"access_point_id" uuid,
	"passphrase_version" integer,
	"channel" "passphrase_reveal_channel" NOT NULL,
	"actor_user_id" uuid NOT NULL,
	"actor_organisation_id" uuid NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"occurred_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "wifi_networks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"apartment_id" uuid NOT NULL,
	"building_id" uuid NOT NULL,
	"residence_id" uuid NOT NULL,
	"access_point_id" uuid NOT NULL,
	"ssid" text NOT NULL,
	"passphrase_ciphertext" text NOT NULL,
	"passphrase_version" integer DEFAULT 1 NOT NULL,
	"letter_version" integer,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"rotated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "wifi_networks_ssid_length" CHECK (octet_length("wifi_networks"."ssid") between 1 and 32)
);
--> statement-breakpoint
CREATE TABLE "incident_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "incident_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"incident_id" uuid NOT NULL,
	"from_status" "incident_status",
	"to_status" "incident_status" NOT NULL,
	"actor_user_id" uuid NOT NULL,
	"note" text,
	"occurred_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"building_id" uuid NOT NULL,
	"apartment_id" uuid,
	"network_device_id" uuid,
	"category" "incident_category" NOT NULL,
	"status" "incident_status" DEFAULT 'open' NOT NULL,
	"description" text NOT NULL,
	"resolution" text,
	"due_on" date NOT NULL,
	"opened_by_user_id" uuid NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"resolved_at" timestamp (3) with time zone
);
--> statement-breakpoint
CREATE TABLE "apartments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"building_id" uuid NOT NULL,
	"unit" text NOT NULL,
	"floor" integer NOT NULL,
	"status" "apartment_status" DEFAULT 'planned' NOT NULL,
	"suspended_from" "apartment_status",
	"opt_in" "opt_in_status" DEFAULT 'unknown' NOT NULL,
	"opt_in_on" date,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "buildings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"residence_id" uuid NOT NULL,
	"name" text NOT NULL,
	"address" text NOT NULL,
	"commune_code" text NOT NULL,
	"floors" integer NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "buildings_commune_code_format" CHECK ("buildings"."commune_code" ~ '^([0-9]{2}|2A|2B)[0-9]{3}$'),
	CONSTRAINT "buildings_floors_range" CHECK ("buildings"."floors" between 1 and 60)
);
--> statement-breakpoint
CREATE TABLE "residences" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"organisation_id" uuid NOT NULL,
	"name" text NOT NULL,
	"short_name" text NOT NULL,
	"commune_code" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "residences_commune_code_format" CHECK ("residences"."commune_code" ~ '^([0-9]{2}|2A|2B)[0-9]{3}$')
);
--> statement-breakpoint
ALTER TABLE "deployment_events" ADD CONSTRAINT "deployment_events_deployment_id_deployments_id_fk" FOREIGN KEY ("deployment_id") REFERENCES "public"."deployments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployment_events" ADD CONSTRAINT "deployment_events_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployment_events" ADD CONSTRAINT "deployment_events_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_building_id_buildings_id_fk" FOREIGN KEY ("building_id") REFERENCES "public"."buildings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_isp_organisation_id_organisations_id_fk" FOREIGN KEY ("isp_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_box_id_network_devices_id_fk" FOREIGN KEY ("box_id") REFERENCES "public"."network_devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "network_devices" ADD CONSTRAINT "network_devices_asset_code_asset_codes_code_fk" FOREIGN KEY ("asset_code") REFERENCES "public"."asset_codes"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "network_devices" ADD CONSTRAINT "network_devices_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "network_devices" ADD CONSTRAINT "network_devices_building_id_buildings_id_fk" FOREIGN KEY ("building_id") REFERENCES "public"."buildings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "network_devices" ADD CONSTRAINT "network_devices_installed_by_user_id_users_id_fk" FOREIGN KEY ("installed_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "passphrase_reveals" ADD CONSTRAINT "passphrase_reveals_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "passphrase_reveals" ADD CONSTRAINT "passphrase_reveals_building_id_buildings_id_fk" FOREIGN KEY ("building_id") REFERENCES "public"."buildings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "passphrase_reveals" ADD CONSTRAINT "passphrase_reveals_apartment_id_apartments_id_fk" FOREIGN KEY ("apartment_id") REFERENCES "public"."apartments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "passphrase_reveals" ADD CONSTRAINT "passphrase_reveals_access_point_id_network_devices_id_fk" FOREIGN KEY ("access_point_id") REFERENCES "public"."network_devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "passphrase_reveals" ADD CONSTRAINT "passphrase_reveals_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "passphrase_reveals" ADD CONSTRAINT "passphrase_reveals_actor_organisation_id_organisations_id_fk" FOREIGN KEY ("actor_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wifi_networks" ADD CONSTRAINT "wifi_networks_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wifi_networks" ADD CONSTRAINT "wifi_networks_apartment_id_apartments_id_fk" FOREIGN KEY ("apartment_id") REFERENCES "public"."apartments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wifi_networks" ADD CONSTRAINT "wifi_networks_building_id_buildings_id_fk" FOREIGN KEY ("building_id") REFERENCES "public"."buildings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wifi_networks" ADD CONSTRAINT "wifi_networks_residence_id_residences_id_fk" FOREIGN KEY ("residence_id") REFERENCES "public"."residences"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wifi_networks" ADD CONSTRAINT "wifi_networks_access_point_id_network_devices_id_fk" FOREIGN KEY ("access_point_id") REFERENCES "public"."network_devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_events" ADD CONSTRAINT "incident_events_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_events" ADD CONSTRAINT "incident_events_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_building_id_buildings_id_fk" FOREIGN KEY ("building_id") REFERENCES "public"."buildings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_apartment_id_apartments_id_fk" FOREIGN KEY ("apartment_id") REFERENCES "public"."apartments"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_network_device_id_network_devices_id_fk" FOREIGN KEY ("network_device_id") REFERENCES "public"."network_devices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_opened_by_user_id_users_id_fk" FOREIGN KEY ("opened_by_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "apartments" ADD CONSTRAINT "apartments_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "apartments" ADD CONSTRAINT "apartments_building_id_buildings_id_fk" FOREIGN KEY ("building_id") REFERENCES "public"."buildings"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "buildings" ADD CONSTRAINT "buildings_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "buildings" ADD CONSTRAINT "buildings_residence_id_residences_id_fk" FOREIGN KEY ("residence_id") REFERENCES "public"."residences"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "residences" ADD CONSTRAINT "residences_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "deployment_events_deployment_id_id_index" ON "deployment_events" USING btree ("deployment_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "deployments_building_id_index" ON "deployments" USING btree ("building_id");--> statement-breakpoint
CREATE INDEX "deployments_organisation_id_index" ON "deployments" USING btree ("organisation_id");--> statement-breakpoint
CREATE INDEX "deployments_isp_organisation_id_index" ON "deployments" USING btree ("isp_organisation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "network_devices_asset_code_index" ON "network_devices" USING btree ("asset_code");--> statement-breakpoint
CREATE UNIQUE INDEX "network_devices_mac" ON "network_devices" USING btree ("mac_address") WHERE "network_devices"."mac_address" is not null;--> statement-breakpoint
CREATE INDEX "network_devices_building_id_floor_index" ON "network_devices" USING btree ("building_id","floor");--> statement-breakpoint
CREATE INDEX "passphrase_reveals_building_id_occurred_at_index" ON "passphrase_reveals" USING btree ("building_id","occurred_at");--> statement-breakpoint
CREATE UNIQUE INDEX "wifi_networks_apartment_id_index" ON "wifi_networks" USING btree ("apartment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "wifi_networks_residence_id_ssid_index" ON "wifi_networks" USING btree ("residence_id","ssid");--> statement-breakpoint
CREATE INDEX "wifi_networks_access_point_id_index" ON "wifi_networks" USING btree ("access_point_id");--> statement-breakpoint
CREATE INDEX "wifi_networks_building_id_index" ON "wifi_networks" USING btree ("building_id");--> statement-breakpoint
CREATE INDEX "incident_events_incident_id_id_index" ON "incident_events" USING btree ("incident_id","id");--> statement-breakpoint
CREATE INDEX "incidents_building_id_status_index" ON "incidents" USING btree ("building_id","status");--> statement-breakpoint
CREATE INDEX "incidents_organisation_id_status_due_on_index" ON "incidents" USING btree ("organisation_id","status","due_on");--> statement-breakpoint
CREATE UNIQUE INDEX "apartments_building_id_unit_index" ON "apartments" USING btree ("building_id","unit");--> statement-breakpoint
CREATE INDEX "apartments_building_id_floor_index" ON "apartments" USING btree ("building_id","floor");--> statement-breakpoint
CREATE UNIQUE INDEX "buildings_residence_id_name_index" ON "buildings" USING btree ("residence_id","name");--> statement-breakpoint
CREATE INDEX "buildings_organisation_id_index" ON "buildings" USING btree ("organisation_id");--> statement-breakpoint
CREATE UNIQUE INDEX "residences_organisation_id_name_index" ON "residences" USING btree ("organisation_id","name");