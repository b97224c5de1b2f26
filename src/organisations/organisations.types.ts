export const organisationKinds = ['coordinator', 'workshop', 'mediation', 'landlord', 'donor', 'isp'] as const;
export type OrganisationKind = (typeof organisationKinds)[number];

export const siteKinds = ['collection_point', 'workshop', 'storage', 'mediation_place'] as const;
export type SiteKind = (typeof siteKinds)[number];
