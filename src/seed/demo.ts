import { randomBytes } from 'node:crypto';
import { eq, ne, sql } from 'drizzle-orm';
import { createHousehold } from '../allocation/households.service.ts';
import { seedYearOfActivity } from './demo-history.ts';
import { importDemoNeighbourPlaces } from './demo-neighbour-places.ts';
import { publishDemoPlaces } from './demo-places.ts';
import { createProgramme } from '../allocation/programmes.service.ts';
import { recordContribution, setFundAllocations } from '../fund/fund.service.ts';
import { reserveForRequest } from '../allocation/reservations.service.ts';
import { submitRequest } from '../allocation/requests.service.ts';
import { createTrainingModule, createTrainingSession, enrolRequest } from '../allocation/training.service.ts';
import type { Actor } from '../auth/actor.ts';
import type { Role } from '../auth/roles.ts';
import { insertUser } from '../auth/users.service.ts';
import type { Db, DbOrTx } from '../db/client.ts';
import { devices } from '../devices/devices.schema.ts';
import { createDonation, parisToday } from '../donations/donations.service.ts';
import { setRetiredStock } from '../reuse/attestations.service.ts';
import { startIntakeImport } from '../donations/intake-import.ts';
import { registerDevice, registerDeviceBatch, type IntakeItem } from '../donations/intake.service.ts';
import { openIncident } from '../connectivity/incidents.service.ts';
import { setOptIn } from '../connectivity/apartments.service.ts';
import { transitionDeployment, updateDeploymentSettings } from '../connectivity/deployments.service.ts';
import { registerNetworkDevice } from '../connectivity/network-devices.service.ts';
import { addApartments, createBuilding, createResidence } from '../connectivity/places.service.ts';
import { startProvisioning } from '../connectivity/provisioning.service.ts';
import type { FileStore } from '../files/file-store.ts';
import { createLabelBatch } from '../labels/labels.service.ts';
import { recordQualification } from '../qualifications/qualifications.service.ts';
import { completeWorkOrder, openWorkOrder, updateWorkOrder, type WorkOrderChanges } from '../refurbishment/refurbishment.service.ts';
import { recordWipes } from '../wiping/wiping.service.ts';
import { moveDevice, transitionDevice } from '../devices/transitions.service.ts';
import { organisations } from '../organisations/organisations.schema.ts';
import { createOrganisation } from '../organisations/organisations.service.ts';
import { setOrganisationPublicContact } from '../organisations/public-contact.ts';
import { createSite } from '../organisations/sites.service.ts';
import type { OrganisationKind } from '../organisations/organisations.types.ts';

export type DemoAccount = { email: string; role: Role; organisation: string; password: string };

const demoOrganisations: { kind: Exclude<OrganisationKind, 'coordinator'>; name: string; shortName: string; siren?: string; publicBody?: boolean }[] = [
  { kind: 'workshop', name: 'Atelier Rebond 47 (chantier d’insertion)', shortName: 'Rebond 47' },
  { kind: 'mediation', name: 'Centre social de Villeneuve-sur-Lot', shortName: 'CS Villeneuve' },
  { kind: 'landlord', name: 'Habitat Sud Provence', shortName: 'HSP' },
  // A public donor: its devices' reuse is attested each year (loi REEN); the commune's SIREN.
  { kind: 'donor', name: 'Mairie d’Agen', shortName: 'Agen', siren: '214700015', publicBody: true },
  { kind: 'isp', name: 'Fibre Solidaire', shortName: 'FibreSol' },
  { kind: 'funder', name: 'Caisse d’allocations familiales de Lot-et-Garonne', shortName: 'CAF 47' },
];

const accountFor: Record<Role, { kind: OrganisationKind; email: string; name: string }> = {
  admin: { kind: 'coordinator', email: 'coordination@boucle.example', name: 'Claire Coordination' },
  workshop_operator: { kind: 'workshop', email: 'atelier@boucle.example', name: 'Karim Atelier' },
  mediator: { kind: 'mediation', email: 'mediation@boucle.example', name: 'Sophie Médiation' },
  landlord_manager: { kind: 'landlord', email: 'bailleur@boucle.example', name: 'Luc Bailleur' },
  donor_viewer: { kind: 'donor', email: 'donateur@boucle.example', name: 'Anne Donatrice' },
  installer: { kind: 'isp', email: 'installateur@boucle.example', name: 'Yann Installateur' },
  funder_viewer: { kind: 'funder', email: 'financeur@boucle.example', name: 'Marc Financeur' },
};

const demoDevices: IntakeItem[] = [
  {
    kind: 'laptop',
    brand: 'Lenovo',
    model: 'ThinkPad T480',
    serialNumber: 'PF1KX2AB',
    storageMedia: [{ type: 'nvme', model: 'Samsung PM981', serialNumber: 'S4DXNX0M123456', capacityGb: 256 }],
  },
  {
    kind: 'laptop',
    brand: 'Dell',
    model: 'Latitude 5490',
    serialNumber: '7CQ8KQ2',
    storageMedia: [{ type: 'ssd', model: 'Samsung 860 EVO', serialNumber: 'S3Z9NB0K123456', capacityGb: 250 }],
  },
  {
    kind: 'laptop',
    brand: 'HP',
    model: 'EliteBook 840 G5',
    serialNumber: '5CG8341XYZ',
    storageMedia: [
      { type: 'ssd', capacityGb: 256 },
      { type: 'hdd', capacityGb: 500 },
    ],
  },
  {
    kind: 'desktop',
    brand: 'Dell',
    model: 'OptiPlex 7050',
    serialNumber: 'HX7P0K2',
    storageMedia: [{ type: 'hdd', model: 'Seagate ST500DM002', serialNumber: 'Z6EABC12', capacityGb: 500 }],
  },
  { kind: 'tablet', brand: 'Samsung', model: 'Galaxy Tab A8', serialNumber: 'R9WT30ABCDE', storageMedia: [{ type: 'emmc', capacityGb: 32 }] },
  { kind: 'screen', brand: 'Iiyama', model: 'ProLite E2282HS', serialNumber: '1145623401234', storageMedia: [] },
  { kind: 'screen', brand: 'Dell', model: 'P2219H', serialNumber: 'CN0ABCDE', storageMedia: [] },
  { kind: 'peripheral', brand: 'Logitech', model: 'K120', storageMedia: [] },
];

async function createOrganisationRow(db: DbOrTx, values: typeof organisations.$inferInsert) {
  const [row] = await db.insert(organisations).values(values).returning();
  return row!;
}

// As a company's spreadsheet exports it: semicolons, French headers, one line with a problem.
const companyInventory = [
  'Type;Marque;Modèle;N° de série;Stockage;Remarques',
  'portable;Lenovo;ThinkPad L490;PF2ABC01;ssd;',
  'portable;Lenovo;ThinkPad L490;PF2ABC02;ssd;"Rayure sur le capot,\nbatterie faible"',
  'fixe;HP;ProDesk 400 G5;CZC9123ABC;hdd+ssd;',
  'imprimante laser;Brother;HL-L2350;E78123;;à recycler ?',
].join('\r\n');

const password = () => randomBytes(12).toString('base64url');

// The town hall's convention with the workshop, signed before its first lot was collected: its
// devices count as reused (décret 2023-266).
const agenConvention = {
  reuseCommitmentReference: 'Convention de réemploi Agen – Rebond 47',
  reuseCommitmentDate: new Date(Date.now() - 400 * 86_400_000).toISOString().slice(0, 10),
};

/**
 * Demo data for a fresh install: one organisation of each kind, one account per role, sites in
 * real communes, devices in every status the modules built so far can reach, and a landlord's
 * shared Wi-Fi rollout. Runs only on a
 * database without devices and without partner organisations; answers the accounts (passwords
 * are printed once by the caller and stored only as argon2id hashes).
 */
export async function seedDemoData(database: Db, fileStore: FileStore): Promise<DemoAccount[] | null> {
  // All or nothing: a seed that fails half-way must not leave a database that looks seeded.
  return database.transaction(async (db) => {
    const [{ devicesCount }] = (await db.select({ devicesCount: sql<number>`count(*)::int` }).from(devices)) as [{ devicesCount: number }];
    const partners = await db.select({ id: organisations.id }).from(organisations).where(ne(organisations.kind, 'coordinator')).limit(1);
    if (devicesCount > 0 || partners.length > 0) return null;

    const accounts: DemoAccount[] = [];
    const [existingCoordinator] = await db.select().from(organisations).where(eq(organisations.kind, 'coordinator')).limit(1);
    const coordinator =
      existingCoordinator ??
      (await createOrganisationRow(db, { name: 'Département de Lot-et-Garonne — inclusion numérique', shortName: 'CD47', kind: 'coordinator' }));
    const adminPassword = password();
    const admin = await insertUser(db, {
      organisationId: coordinator.id,
      email: accountFor.admin.email,
      displayName: accountFor.admin.name,
      role: 'admin',
      password: adminPassword,
    });
    accounts.push({ email: admin.email, role: 'admin', organisation: coordinator.shortName, password: adminPassword });
    const adminActor: Actor = { ...admin, userId: admin.id, organisationKind: 'coordinator', credentialId: 'seed' };

    const byKind = new Map<OrganisationKind, { id: string; shortName: string }>([['coordinator', coordinator]]);
    for (const organisation of demoOrganisations) {
      byKind.set(organisation.kind, await createOrganisation(db, adminActor, organisation));
    }
    const people = new Map<Role, Actor>([['admin', adminActor]]);
    for (const [role, account] of Object.entries(accountFor) as [Role, (typeof accountFor)[Role]][]) {
      if (role === 'admin') continue;
      const organisation = byKind.get(account.kind)!;
      const secret = password();
      const user = await insertUser(db, { organisationId: organisation.id, email: account.email, displayName: account.name, role, password: secret });
      accounts.push({ email: account.email, role, organisation: organisation.shortName, password: secret });
      people.set(role, { ...user, userId: user.id, organisationKind: account.kind, credentialId: 'seed' });
    }

    const workshop = byKind.get('workshop')!;
    // The workshop publishes a contact for whoever finds one of its devices (the public card of /d/{code}).
    await setOrganisationPublicContact(db, adminActor, workshop.id, { publicPhone: '05 53 00 00 47', publicEmail: 'contact@rebond47.example' });
    const bench = await createSite(db, adminActor, {
      organisationId: workshop.id,
      name: 'Atelier d’Agen',
      kind: 'workshop',
      address: '12 rue des Ateliers',
      postalCode: '47000',
      communeCode: '47001',
    });
    const dropOff = await createSite(db, adminActor, {
      organisationId: workshop.id,
      name: 'Point de collecte de Marmande',
      kind: 'collection_point',
      address: 'Place du Marché',
      postalCode: '47200',
      communeCode: '47157',
    });
    const socialCentre = await createSite(db, adminActor, {
      organisationId: byKind.get('mediation')!.id,
      name: 'Espace numérique du centre social',
      kind: 'mediation_place',
      address: '3 avenue de la Libération',
      postalCode: '47300',
      communeCode: '47323',
    });
    await publishDemoPlaces(db, adminActor, { bench: bench.id, dropOff: dropOff.id, socialCentre: socialCentre.id });
    await importDemoNeighbourPlaces(db, fileStore, adminActor);

    const operator = people.get('workshop_operator')!;
    const townHall = await createDonation(db, operator, {
      collectionSiteId: bench.id,
      donorOrganisationId: byKind.get('donor')!.id,
      campaign: 'Renouvellement du parc 2026',
      expectedCount: 8,
      ...agenConvention,
    });
    const batch = await registerDeviceBatch(db, operator, townHall.id, demoDevices.slice(0, 5));
    const resident = await createDonation(db, operator, {
      collectionSiteId: dropOff.id,
      donor: { name: 'Particulier (dépôt en déchèterie)' },
      expectedCount: 3,
    });
    const dropped = [];
    for (const device of demoDevices.slice(5)) dropped.push(await registerDevice(db, operator, { ...device, donationId: resident.id }));
    const [thinkpad, latitude, elitebook, desktop] = batch.created;
    // The bench's qualifications, then a device in each status the modules reach so far: wiped
    // (with its signed certificate), refurbished to stock, on the bench, dismantled, recycled.
    for (const kind of ['data_wiping', 'refurbishment'] as const) {
      await recordQualification(db, adminActor, operator.userId, {
        kind,
        issuer: 'Centre de formation du réseau',
        issuedOn: '2026-01-12',
        expiresOn: '2028-01-12',
      });
    }
    const wipedNow = { startedAt: new Date(), endedAt: new Date() };
    await recordWipes(db, operator, thinkpad!.code, [
      {
        mediumIndex: 0,
        level: 'purge',
        technique: 'nvme_sanitize',
        toolName: 'nvme-cli',
        toolVersion: '2.8',
        verification: 'full',
        result: 'passed',
        ...wipedNow,
      },
    ]);
    await recordWipes(db, operator, latitude!.code, [
      {
        mediumIndex: 0,
        level: 'purge',
        technique: 'ata_secure_erase',
        toolName: 'hdparm',
        toolVersion: '9.65',
        verification: 'full',
        result: 'passed',
        ...wipedNow,
      },
    ]);
    // One bench session: the work order opened, the findings recorded, the device in stock.
    const refurbishToStock = async (code: string, findings: WorkOrderChanges) => {
      const order = await openWorkOrder(db, operator, code, {});
      await updateWorkOrder(db, operator, order.id, { operatingSystem: { name: 'Linux Mint', version: '22', licence: 'GPL' }, ...findings });
      await completeWorkOrder(db, operator, order.id, {});
    };
    const passedChecklist = { power: 'ok', screen: 'ok', keyboard: 'ok', battery: 'ok', storage: 'ok', ports: 'ok', wifi: 'ok' } as const;
    await refurbishToStock(thinkpad!.code, {
      checklist: { ...passedChecklist, webcam: 'ok', batteryHealthPercent: 84 },
      specs: { cpu: 'Intel Core i5-8350U', ramGb: 8, storageGb: 256 },
      cosmetic: 'A',
      minutesSpent: 70,
    });
    // The Latitude goes to stock too (the ThinkPad is reserved for a family below); the EliteBook's
    // two media are wiped, awaiting refurbishment.
    await refurbishToStock(latitude!.code, {
      checklist: { ...passedChecklist, webcam: 'absent', batteryHealthPercent: 71 },
      specs: { cpu: 'Intel Core i5-8250U', ramGb: 8, storageGb: 250 },
      cosmetic: 'B',
      minutesSpent: 55,
    });
    await recordWipes(db, operator, elitebook!.code, [
      {
        mediumIndex: 0,
        level: 'purge',
        technique: 'ata_secure_erase',
        toolName: 'hdparm',
        toolVersion: '9.65',
        verification: 'full',
        result: 'passed',
        ...wipedNow,
      },
      {
        mediumIndex: 1,
        level: 'clear',
        technique: 'overwrite',
        passes: 1,
        pattern: 'zeros',
        toolName: 'nwipe',
        toolVersion: '0.38',
        verification: 'full',
        result: 'passed',
        ...wipedNow,
      },
    ]);
    await openWorkOrder(db, operator, dropped[0]!.code, { need: 'Écran pour un poste de la médiathèque' });
    // A programme, a family followed by the social centre, its request, and the ThinkPad held for it.
    const mediator = people.get('mediator')!;
    const training = await createTrainingModule(db, adminActor, {
      title: 'Pronote et l’ENT du collège',
      durationMinutes: 120,
      topics: ['Se connecter à l’ENT', 'Suivre les notes et les devoirs', 'Écrire aux enseignants'],
    });
    const programme = await createProgramme(db, adminActor, {
      name: 'Un ordinateur pour les familles de collégiens',
      eligibilityCriteria: ['child_in_college', 'income_below_threshold', 'no_computer_at_home'],
      deviceKinds: ['laptop', 'desktop'],
      minimumSpecs: { ramGb: 4 },
      trainingModuleId: training.id,
      trainingValidForLaterRequests: true,
      reservationDays: 21,
      territories: [{ type: 'departement', code: '47' }],
      yearlyQuota: 400,
    });
    const family = await createHousehold(db, mediator, {
      reference: 'CSV-2026-014',
      communeCode: '47323',
      size: 4,
      contactPhone: '06 00 00 00 00',
      attestations: ['child_in_college', 'income_below_threshold', 'no_computer_at_home'],
      consent: true,
    });
    const request = await submitRequest(db, mediator, { householdId: family.id, programmeId: programme.id, need: { kind: 'laptop', minRamGb: 4 } });
    await reserveForRequest(db, mediator, request.id);
    // Two sessions of the training: the family takes the only place of the first, which is then full.
    const inDays = (days: number, hour: number) => new Date(new Date().setHours(hour, 0, 0, 0) + days * 86_400_000);
    const firstSession = await createTrainingSession(db, mediator, {
      moduleId: training.id,
      siteId: socialCentre.id,
      startsAt: inDays(7, 14),
      capacity: 1,
      trainerName: 'Sophie Médiation',
    });
    await createTrainingSession(db, mediator, {
      moduleId: training.id,
      siteId: socialCentre.id,
      startsAt: inDays(14, 14),
      capacity: 8,
      trainerName: 'Sophie Médiation',
    });
    await enrolRequest(db, mediator, request.id, firstSession.id);
    await moveDevice(db, operator, { code: dropped[1]!.code, siteId: bench.id, note: 'Arrivé par la navette du mardi' });
    await transitionDevice(db, operator, { code: desktop!.code, to: 'dismantled', note: 'Carte mère HS, RAM et alimentation récupérées' });
    await transitionDevice(db, operator, {
      code: dropped[2]!.code,
      to: 'recycled',
      note: 'Clavier cassé',
      payload: { deeeChannel: 'municipal_collection_point', deeeChannelName: 'Déchetterie de Marmande' },
    });
    // Work for the workers of a fresh install: labels for the town hall's lot, a sheet of blank
    // labels for the next intake, and a company's inventory arriving as a spreadsheet export.
    await createLabelBatch(db, operator, { format: 'a4-3x7', donationId: townHall.id });
    await createLabelBatch(db, operator, { format: 'a4-5x13', count: 65 });
    const company = await createDonation(db, operator, {
      collectionSiteId: bench.id,
      donor: { name: 'SARL Garonne Informatique', contact: 'contact@garonne-info.example' },
      campaign: 'Fin de leasing',
      expectedCount: 4,
    });
    const inventory = { donationId: company.id, filename: 'inventaire-garonne.csv', content: new TextEncoder().encode(companyInventory) };
    await startIntakeImport(db, fileStore, operator, inventory);
    // Sent again by mistake: its job says the inventory was already taken, and adds nothing.
    await startIntakeImport(db, fileStore, operator, { ...inventory, filename: 'inventaire-garonne (1).csv' });
    await seedSharedConnectivity(db, adminActor, people.get('landlord_manager')!, people.get('installer')!);
    await seedYearOfActivity(db, {
      operator,
      mediator,
      benchSiteId: bench.id,
      placeId: socialCentre.id,
      donorOrganisationId: byKind.get('donor')!.id,
      programmeId: programme.id,
      trainingModuleId: training.id,
      reuseConvention: agenConvention,
    });
    await seedFund(db, adminActor, byKind.get('funder')!.id, programme.id);
    // The town hall's retired IT equipment on 1 January, for the rate of its reuse attestation.
    const thisYear = Number(parisToday().slice(0, 4));
    for (const year of [thisYear - 1, thisYear]) await setRetiredStock(db, people.get('donor_viewer')!, byKind.get('donor')!.id, year, { devices: 60 });
    return accounts;
  });
}

/**
 * The departmental fund of the last two years: the CAF and the MSA under their conventions, the
 * steering committee giving most of it to the collégiens' programme (the rest kept for the next).
 */
async function seedFund(db: Db, admin: Actor, cafId: string, programmeId: string) {
  const msa = await createOrganisation(db, admin, { kind: 'funder', name: 'Mutualité sociale agricole Dordogne Lot-et-Garonne', shortName: 'MSA 24-47' });
  const thisYear = new Date().getFullYear();
  for (const year of [thisYear - 1, thisYear]) {
    await recordContribution(db, admin, {
      funderOrganisationId: cafId,
      year,
      amountCents: 4_000_000,
      conventionReference: `CAF47-INCL-${year}`,
      signedOn: `${year}-01-20`,
    });
    await recordContribution(db, admin, {
      funderOrganisationId: msa.id,
      year,
      amountCents: 1_500_000,
      conventionReference: `MSA-FDIN-${year}`,
      signedOn: `${year}-02-05`,
    });
    await setFundAllocations(db, admin, year, { shares: [{ programmeId, sharePercent: 80 }] });
  }
}

/**
 * The shared Wi-Fi of a Marseille estate: one building provisioned by the workers after the seed
 * (letters and access point configurations appear in a few seconds), one with its box installed,
 * one planned; tenants' opt-in, the cost the landlord set, an incident overdue and one open.
 */
async function seedSharedConnectivity(db: DbOrTx, admin: Actor, manager: Actor, installer: Actor) {
  const residence = await createResidence(db, manager, { name: 'Résidence Les Lauriers', shortName: 'Lauriers', communeCode: '13215' });
  const building = (name: string, floors: number) =>
    createBuilding(db, manager, residence.id, {
      name,
      address: `${name === 'Bâtiment A' ? 2 : 4} boulevard des Lauriers, 13015 Marseille`,
      communeCode: '13215',
      floors,
    });
  const levels = (floors: number, perLanding: number) =>
    Array.from({ length: floors }, (_, floor) =>
      Array.from({ length: perLanding }, (_, door) => ({ unit: `${floor}${String(door + 1).padStart(2, '0')}`, floor })),
    ).flat();
  const settings = {
    ispOrganisationId: installer.organisationId,
    monthlyCostCents: 250,
    costStartsOn: '2027-01-01',
    costRecovery: 'collective_agreement' as const,
    supportContact: 'Fibre Solidaire, 04 91 00 00 00 (du lundi au samedi, 8 h – 20 h)',
  };

  const a = await building('Bâtiment A', 4);
  const apartmentsOfA = await addApartments(db, manager, a.id, levels(4, 5));
  await updateDeploymentSettings(db, manager, a.id, settings);
  await transitionDeployment(db, installer, a.id, { to: 'surveyed', note: 'Gaines techniques accessibles à chaque palier' });
  await registerNetworkDevice(db, installer, a.id, { kind: 'building_box', model: 'Nokia G-010G-Q', serialNumber: 'ALCLB2E4F0A1' });
  await transitionDeployment(db, installer, a.id, { to: 'box_installed' });
  const accessPoints = [];
  for (const floor of [0, 1, 2, 3]) {
    accessPoints.push(
      await registerNetworkDevice(db, installer, a.id, { kind: 'access_point', model: 'TP-Link EAP245', floor, macAddress: `3C:84:6A:5E:00:1${floor}` }),
    );
  }
  await transitionDeployment(db, installer, a.id, { to: 'access_points_installed' });
  await startProvisioning(db, installer, a.id);
  for (const [index, apartment] of apartmentsOfA.entries()) {
    if (index % 3 !== 2) await setOptIn(db, manager, apartment.id, { optIn: index % 4 === 0 ? 'out' : 'in' });
  }
  const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000);
  await openIncident(
    db,
    manager,
    { buildingId: a.id, networkDeviceId: accessPoints[2]!.id, category: 'ap_down', description: 'Plus de Wi-Fi au 2e étage depuis l’orage' },
    tenDaysAgo,
  );
  await openIncident(db, installer, {
    buildingId: a.id,
    apartmentId: apartmentsOfA[6]!.id,
    category: 'slow',
    description: 'Débit faible le soir dans le logement 102',
  });

  const b = await building('Bâtiment B', 3);
  await addApartments(db, manager, b.id, levels(3, 4));
  await updateDeploymentSettings(db, manager, b.id, settings);
  await transitionDeployment(db, installer, b.id, { to: 'surveyed' });
  await registerNetworkDevice(db, installer, b.id, { kind: 'building_box', model: 'Nokia G-010G-Q', serialNumber: 'ALCLB2E4F0B2' });
  await transitionDeployment(db, installer, b.id, { to: 'box_installed' });

  const c = await building('Bâtiment C', 5);
  await addApartments(db, admin, c.id, levels(5, 4));
}
