/** The kinds of device Boucle follows, as a closed list. */
export const deviceKinds = ['laptop', 'desktop', 'tablet', 'smartphone', 'screen', 'peripheral', 'access_point', 'other'] as const;
export type DeviceKind = (typeof deviceKinds)[number];
