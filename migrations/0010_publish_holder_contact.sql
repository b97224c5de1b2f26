ALTER TABLE "organisations" ADD COLUMN "public_phone" text;--> statement-breakpoint
ALTER TABLE "organisations" ADD COLUMN "public_email" text;--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "public_phone" text;--> statement-breakpoint
ALTER TABLE "sites" ADD COLUMN "public_email" text;