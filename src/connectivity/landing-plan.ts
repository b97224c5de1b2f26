import { beaconWarningThreshold } from './access-point-models.ts';

/**
 * Which access point broadcasts which apartment's SSID: every apartment on a landing is served by
 * an access point of that landing. An apartment already on an access point stays there (its
 * tenants' devices know that network); a new one goes to the least loaded access point of its
 * landing. A landing with more apartments than its access points can broadcast is refused,
 * never truncated: somebody would be left without Wi-Fi.
 */
export type PlanAccessPoint = { id: string; assetCode: string; floor: number; ssidsPerRadio: number };
export type PlanApartment = { id: string; unit: string; floor: number; accessPointId: string | null };

export type LandingRefusal = { floor: number; apartments: number; capacity: number; message: string };
export type LandingWarning = { floor: number; accessPointCode: string; ssids: number; message: string };

export type LandingPlan = {
  assignments: Map<string, string>;
  refusals: LandingRefusal[];
  warnings: LandingWarning[];
};

export function planLandings(accessPoints: PlanAccessPoint[], apartments: PlanApartment[]): LandingPlan {
  const assignments = new Map<string, string>();
  const refusals: LandingRefusal[] = [];
  const warnings: LandingWarning[] = [];
  const floors = [...new Set(apartments.map((apartment) => apartment.floor))].sort((a, b) => a - b);
  for (const floor of floors) {
    const onLanding = apartments.filter((apartment) => apartment.floor === floor);
    const points = accessPoints.filter((point) => point.floor === floor);
    const capacity = points.reduce((total, point) => total + point.ssidsPerRadio, 0);
    if (onLanding.length > capacity) {
      refusals.push({
        floor,
        apartments: onLanding.length,
        capacity,
        message:
          points.length === 0
            ? `Landing ${floor} has ${onLanding.length} apartments and no access point: install one.`
            : `Landing ${floor} has ${onLanding.length} apartments but its access points broadcast at most ${capacity} SSIDs: add an access point on this landing.`,
      });
      continue;
    }
    const load = new Map(points.map((point) => [point.id, 0]));
    const stays = onLanding.filter((apartment) => apartment.accessPointId && load.has(apartment.accessPointId));
    for (const apartment of stays) {
      assignments.set(apartment.id, apartment.accessPointId!);
      load.set(apartment.accessPointId!, load.get(apartment.accessPointId!)! + 1);
    }
    for (const apartment of onLanding.filter((candidate) => !stays.includes(candidate))) {
      const room = points.filter((point) => load.get(point.id)! < point.ssidsPerRadio).sort((a, b) => load.get(a.id)! - load.get(b.id)!);
      // Capacity is enough in total, but the ones staying may fill an access point: take any with room.
      const chosen = room[0]!;
      assignments.set(apartment.id, chosen.id);
      load.set(chosen.id, load.get(chosen.id)! + 1);
    }
    for (const point of points) {
      const ssids = load.get(point.id)!;
      if (ssids > beaconWarningThreshold) {
        warnings.push({
          floor,
          accessPointCode: point.assetCode,
          ssids,
          message:
            `Access point ${point.assetCode} (landing ${floor}) broadcasts ${ssids} SSIDs per radio: each beacons about 10 times a second, ` +
            'which eats airtime. Disable the low basic rates (1, 2, 5.5 and 11 Mb/s) on its radios, or add an access point.',
        });
      }
    }
  }
  return { assignments, refusals, warnings };
}
