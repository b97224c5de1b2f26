export const organisationKinds = ['coordinator', 'workshop', 'mediation', 'landlord', 'donor', 'isp', 'funder'] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

export const siteKinds = ['collection_point', 'workshop', 'storage', 'mediation_place'] as const;
export type SiteKind = (typeof siteKinds)[number];

/**
 * A contact an organisation, or one of its sites, chose to publish: what a person who finds a
 * device reads on its public card. Nothing is published unless the coordinator sets it; null
 * withdraws it.
 */
export type PublicContact = { publicPhone: string | null; publicEmail: string | null };
