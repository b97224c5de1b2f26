import type { DeviceKind } from '../devices/devices.schema.ts';

/**
 * Manufacturing emissions of a new device, per kind, as data: each figure with where it comes
 * from and its year. A reused device stands for a new one not made; these are the emissions it
 * avoids. Kinds without a published figure (peripherals, access points...) count for nothing.
 */
export const emissionFactors = [
  { deviceKind: 'laptop', label: 'Ordinateur portable', kgCo2e: 170 },
  { deviceKind: 'desktop', label: 'Ordinateur fixe (sans écran)', kgCo2e: 259 },
  { deviceKind: 'screen', label: 'Écran', kgCo2e: 64.6 },
  { deviceKind: 'smartphone', label: 'Smartphone', kgCo2e: 77 },
  { deviceKind: 'tablet', label: 'Tablette', kgCo2e: 80.5 },
  { deviceKind: null, label: 'Box internet', kgCo2e: 60.8 },
].map((factor) => ({
  ...factor,
  deviceKind: factor.deviceKind as DeviceKind | null,
  source: 'ADEME / Arcep, base Empreinte, publiée sur impactco2.fr (fabrication d’un équipement neuf)',
  year: 2025,
}));

export const impactMethod =
  'Chaque appareil remis à un foyer remplace un appareil neuf qui n’est pas fabriqué : on compte les émissions de fabrication de cet appareil neuf, évitées.';

/** Context, never a false precision: how much of a laptop's yearly impact reuse avoids, per ADEME. */
export const impactContext =
  'Selon l’étude ADEME de 2022 sur le reconditionnement, un ordinateur portable reconditionné évite de 43 à 97 % de l’impact annuel d’un appareil neuf, selon les hypothèses retenues : le chiffre ci-dessus est un ordre de grandeur.';

/** The manufacturing emissions avoided by devices handed over, by kind, in kg CO2e (rounded to the kilogram). */
export function avoidedEmissions(handedOverByKind: Partial<Record<string, number>>) {
  const byKind = emissionFactors
    .filter((factor) => factor.deviceKind !== null && (handedOverByKind[factor.deviceKind] ?? 0) > 0)
    .map((factor) => {
      const devices = handedOverByKind[factor.deviceKind!] ?? 0;
      return { deviceKind: factor.deviceKind!, devices, kgCo2ePerDevice: factor.kgCo2e, kgCo2e: Math.round(devices * factor.kgCo2e) };
    });
  return { kgCo2e: Math.round(byKind.reduce((total, entry) => total + entry.devices * entry.kgCo2ePerDevice, 0)), byKind };
}
