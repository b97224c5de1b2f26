// Every module's tables, for the drizzle client and drizzle-kit.
export * from '../organisations/organisations.schema.ts';
export * from '../auth/auth.schema.ts';
export * from '../devices/devices.schema.ts';
export * from '../outbox/outbox.schema.ts';
export * from '../stock/stock.schema.ts';
export * from '../donations/donations.schema.ts';
export * from '../files/files.schema.ts';
export * from '../jobs/jobs.schema.ts';
export * from '../labels/labels.schema.ts';
export * from '../qualifications/qualifications.schema.ts';
export * from '../wiping/wiping.schema.ts';
export * from '../refurbishment/refurbishment.schema.ts';
export * from '../allocation/allocation.schema.ts';
export * from '../notifications/notifications.schema.ts';
export * from '../connectivity/places.schema.ts';
export * from '../connectivity/deployments.schema.ts';
export * from '../connectivity/incidents.schema.ts';
