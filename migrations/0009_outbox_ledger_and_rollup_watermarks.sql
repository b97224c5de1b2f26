CREATE TABLE "rollup_watermarks" (
	"name" text PRIMARY KEY NOT NULL,
	"event_id" bigint NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "done_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "failed_at" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "outbox_outstanding" ON "outbox" USING btree ("relayed_at") WHERE "outbox"."relayed_at" is not null and "outbox"."done_at" is null and "outbox"."failed_at" is null;--> statement-breakpoint
-- Rows relayed before the ledger kept them until done: those of the last day are checked against
-- the queue like any other (a job Redis still holds is not sent twice); older ones are history.
UPDATE "outbox" SET "done_at" = "relayed_at" WHERE "relayed_at" < now() - interval '1 day';
