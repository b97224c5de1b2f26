import { Frais, ModaliteAcces, PublicSpecifiquementAdresse, Service, Typologie } from '@gouvfr-anct/lieux-de-mediation-numerique';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { sitePlaceInput } from '../places/places.input.ts';
import { publishSitePlace } from '../places/places.service.ts';

/**
 * The demo sites published as places near Agen: where to give a computer, get one at a
 * solidarity price and be trained. The collection point has no coordinates yet: listed on
 * `/lieux`, not on its map.
 */
export async function publishDemoPlaces(db: DbOrTx, admin: Actor, sites: { bench: string; dropOff: string; socialCentre: string }) {
  const publish = (siteId: string, place: unknown) => publishSitePlace(db, admin, siteId, sitePlaceInput.parse(place));
  await publish(sites.bench, {
    pivot: '81234567800013',
    latitude: 44.2031,
    longitude: 0.6163,
    typologies: [Typologie.ACI, Typologie.RESSOURCERIE],
    services: [Service.MaterielInformatiqueAPrixSolidaire, Service.AccesInternetEtMaterielInformatique],
    activities: ['collects_donations', 'wipes_data', 'refurbishes', 'hands_over'],
    openingHours: 'Mo-Fr 09:00-12:00,14:00-17:30; PH off',
    phone: '05 53 00 00 47',
    emails: ['contact@rebond47.example'],
    website: 'https://rebond47.example',
    summary: 'Chantier d’insertion qui collecte, efface et reconditionne les ordinateurs donnés, puis les remet à prix solidaire.',
    publics: [PublicSpecifiquementAdresse.FamillesEnfants, PublicSpecifiquementAdresse.Jeunes],
    accessModes: [ModaliteAcces.SePresenter, ModaliteAcces.Telephoner],
    fees: [Frais.Payant],
  });
  await publish(sites.dropOff, {
    pivot: '81234567800013',
    typologies: [Typologie.ACI],
    activities: ['collects_donations'],
    openingHours: 'Sa 09:00-12:30; PH off',
    accessModes: [ModaliteAcces.SePresenter],
    fees: [Frais.Gratuit],
    summary: 'Dépôt des ordinateurs donnés par les habitants et les entreprises, le samedi matin.',
  });
  await publish(sites.socialCentre, {
    pivot: '79845612300016',
    latitude: 44.4081,
    longitude: 0.7047,
    typologies: [Typologie.CS],
    services: [Service.MaitriseDesOutilsNumeriquesDuQuotidien, Service.AideAuxDemarchesAdministratives, Service.AccesInternetEtMaterielInformatique],
    activities: ['trains_families', 'hands_over'],
    openingHours: 'Mo-Fr 09:00-12:00,13:30-18:00; We 09:00-12:00; PH off',
    phone: '05 53 40 00 00',
    emails: ['numerique@cs-villeneuve.example'],
    summary: 'Ateliers pour prendre en main l’ordinateur reçu, aide aux démarches en ligne, accès libre aux postes.',
    publics: [PublicSpecifiquementAdresse.FamillesEnfants, PublicSpecifiquementAdresse.Seniors],
    accessModes: [ModaliteAcces.SePresenter, ModaliteAcces.Telephoner, ModaliteAcces.PrendreRdvEnLigne],
    fees: [Frais.Gratuit],
    bookingUrl: 'https://cs-villeneuve.example/rendez-vous',
  });
}
