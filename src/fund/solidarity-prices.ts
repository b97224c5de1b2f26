import type { DeviceKind } from '../devices/devices.types.ts';

/**
 * The most a family may pay for a refurbished device handed over by the network, VAT included,
 * in euro cents: the legal maximums of the décret of 7 November 2022 on the "prix solidaire" of
 * refurbished equipment sold by the solidarity economy. A kind the décret does not price is
 * handed over for free.
 */
export const solidarityPriceCaps = {
  source: 'Décret du 7 novembre 2022 (prix maximaux de vente des équipements reconditionnés, TTC)',
  year: 2022,
  capsCents: { laptop: 18_000, desktop: 15_000, tablet: 10_000, smartphone: 10_000, screen: 3_000 } as Partial<Record<DeviceKind, number>>,
} as const;

/** The cap for a kind of device, in cents: 0 for a kind without a legal price. */
export const solidarityPriceCapCents = (kind: DeviceKind) => solidarityPriceCaps.capsCents[kind] ?? 0;
