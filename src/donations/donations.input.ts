import { z } from 'zod';
import { inBoth } from '../field-messages.ts';
import { calendarDate, text } from '../http/router.ts';

const whoGives = {
  both: inBoth(
    'Give either donorOrganisationId or donor (an individual), not both.',
    'Choisissez une structure donatrice ou indiquez un particulier, pas les deux.',
  ),
  neither: inBoth(
    'Give who donates: either donorOrganisationId (an organisation) or donor (an individual).',
    'Indiquez qui donne : une structure donatrice, ou le nom d’un particulier.',
  ),
};

const commitmentIncomplete = inBoth(
  'A reuse commitment has both its reference and its date.',
  'Un engagement de réemploi a une référence et une date : indiquez les deux.',
);

/**
 * A donation (a lot) arriving at one of the bench's collection sites: the API's body and the
 * bench's form. The donor is an organisation (a company, a public body) or one person, never
 * both. The reuse commitment is the convention by which the receiver committed, before the
 * collection, to reuse what it is given (décret 2023-266, art. 2): its reference and its date.
 */
export const donationInput = z
  .object({
    collectionSiteId: z.uuid(inBoth('The id of one of your sites.', 'Choisissez le lieu où le don est reçu.')),
    donorOrganisationId: z.uuid(inBoth('The id of a donor organisation.', 'Choisissez la structure donatrice dans la liste.')).optional(),
    donor: z.object({ name: text(200), contact: text(200).optional() }).optional(),
    campaign: text(200).optional(),
    expectedCount: z
      .number(inBoth('A number of devices, e.g. 12.', 'Le nombre d’équipements annoncés est un nombre, par exemple 12.'))
      .int(inBoth('A whole number of devices, e.g. 12.', 'Un nombre entier d’équipements, par exemple 12.'))
      .min(0, inBoth('Cannot be negative.', 'Le nombre d’équipements annoncés ne peut pas être négatif.'))
      .max(1_000_000, inBoth('At most a million devices.', 'Un million d’équipements au plus.'))
      .optional(),
    reuseCommitmentReference: text(200).optional(),
    reuseCommitmentDate: calendarDate().optional(),
  })
  .superRefine((donation, context) => {
    if (donation.donorOrganisationId && donation.donor) context.addIssue({ code: 'custom', path: ['donor'], message: whoGives.both });
    if (!donation.donorOrganisationId && !donation.donor) context.addIssue({ code: 'custom', path: ['donor'], message: whoGives.neither });
    if (donation.reuseCommitmentReference !== undefined && donation.reuseCommitmentDate === undefined) {
      context.addIssue({ code: 'custom', path: ['reuseCommitmentDate'], message: commitmentIncomplete });
    }
    if (donation.reuseCommitmentDate !== undefined && donation.reuseCommitmentReference === undefined) {
      context.addIssue({ code: 'custom', path: ['reuseCommitmentReference'], message: commitmentIncomplete });
    }
  });

export type DonationInput = z.output<typeof donationInput>;
