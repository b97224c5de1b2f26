import { z } from 'zod';
import { inBoth } from '../field-messages.ts';
import { calendarDate, text } from '../http/router.ts';

const yearMessage = inBoth('A year, e.g. 2026.', 'Une année, par exemple 2026.');
/** The year of a convention or of a report. */
export const fundYear = z.number(yearMessage).int(yearMessage).min(2000, yearMessage).max(2100, yearMessage);

const amountMessage = inBoth('An amount in euro cents, e.g. 1500000 for 15,000 €.', 'Un montant en euros, par exemple 15 000.');

/** A funder's contribution to a year's fund, under its convention: the API's body and the coordinator's form. */
export const contributionInput = z.object({
  funderOrganisationId: z.uuid(inBoth('The id of a funder organisation.', 'Choisissez le financeur.')),
  year: fundYear,
  amountCents: z.number(amountMessage).int(amountMessage).positive(amountMessage).max(100_000_000_000, amountMessage),
  conventionReference: text(100),
  signedOn: calendarDate(),
});
export type ContributionInput = z.output<typeof contributionInput>;

const shareMessage = inBoth('A whole percentage, from 1 to 100.', 'Un pourcentage entier, de 1 à 100.');

/** The steering committee's decision for a year: the share of the fund each financed programme gets (the others get none). */
export const allocationsInput = z
  .object({
    shares: z
      .array(z.object({ programmeId: z.uuid(), sharePercent: z.number(shareMessage).int(shareMessage).min(1, shareMessage).max(100, shareMessage) }))
      .max(100),
  })
  .superRefine(({ shares }, context) => {
    const total = shares.reduce((sum, share) => sum + share.sharePercent, 0);
    if (total > 100) {
      context.addIssue({
        code: 'custom',
        path: ['shares'],
        message: `The shares add up to ${total} %: at most 100 % of the fund.`,
        params: { french: `Les parts font ${total} % : au plus 100 % du fonds.` },
      });
    }
    const seen = new Set<string>();
    for (const [index, share] of shares.entries()) {
      if (seen.has(share.programmeId)) {
        context.addIssue({
          code: 'custom',
          path: ['shares', index, 'programmeId'],
          message: 'This programme already has a share.',
          params: { french: 'Ce dispositif a déjà une part.' },
        });
      }
      seen.add(share.programmeId);
    }
  });
export type AllocationsInput = z.output<typeof allocationsInput>;

/** Which report: a year, and for the coordinator one funder's part. */
export const fundReportQuery = z.object({
  year: z.coerce.number(yearMessage).pipe(fundYear),
  funderId: z.uuid(inBoth('The id of a funder organisation.', 'Choisissez le financeur.')).optional(),
});
