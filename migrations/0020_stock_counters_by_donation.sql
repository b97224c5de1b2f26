-- The counters gain the donation: they are recounted from the devices, less the events whose job
-- has not counted them yet (those jobs will), as the reconciliation does (src/stock/stock-reconciliation.ts).
DELETE FROM "site_stock_counters";--> statement-breakpoint
ALTER TABLE "site_stock_counters" DROP CONSTRAINT "site_stock_counters_site_id_kind_status_pk";--> statement-breakpoint
ALTER TABLE "site_stock_counters" ADD COLUMN "donation_id" uuid NOT NULL;--> statement-breakpoint
ALTER TABLE "site_stock_counters" ADD CONSTRAINT "site_stock_counters_site_id_kind_status_donation_id_pk" PRIMARY KEY("site_id","kind","status","donation_id");--> statement-breakpoint
ALTER TABLE "site_stock_counters" ADD CONSTRAINT "site_stock_counters_donation_id_donations_id_fk" FOREIGN KEY ("donation_id") REFERENCES "public"."donations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "site_stock_counters_donation_id_index" ON "site_stock_counters" USING btree ("donation_id");--> statement-breakpoint
INSERT INTO "site_stock_counters" ("site_id", "kind", "status", "donation_id", "count")
SELECT site_id, kind, status, donation_id, sum(n)::int FROM (
  SELECT site_id, kind, status, donation_id, 1 AS n FROM devices
  UNION ALL
  SELECT e.site_id, d.kind, e.to_status, d.donation_id, -1
  FROM device_events e JOIN devices d ON d.id = e.device_id
  WHERE e.id > coalesce((SELECT event_id FROM rollup_watermarks WHERE name = 'site-stock'), 0)
    AND NOT EXISTS (SELECT 1 FROM stock_counted_events c WHERE c.event_id = e.id)
  UNION ALL
  SELECT coalesce(e.from_site_id, e.site_id), d.kind, e.from_status, d.donation_id, 1
  FROM device_events e JOIN devices d ON d.id = e.device_id
  WHERE e.from_status IS NOT NULL
    AND e.id > coalesce((SELECT event_id FROM rollup_watermarks WHERE name = 'site-stock'), 0)
    AND NOT EXISTS (SELECT 1 FROM stock_counted_events c WHERE c.event_id = e.id)
) moves
GROUP BY site_id, kind, status, donation_id
HAVING sum(n) <> 0;
