CREATE TABLE "sign_in_throttle" (
	"key" text PRIMARY KEY NOT NULL,
	"points" integer DEFAULT 0 NOT NULL,
	"expire" timestamp (3) with time zone
);
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "answer_withheld" boolean DEFAULT false NOT NULL;--> statement-breakpoint
CREATE INDEX "sign_in_throttle_expire_index" ON "sign_in_throttle" USING btree ("expire");