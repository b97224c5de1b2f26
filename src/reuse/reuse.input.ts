import { z } from 'zod';
import { inBoth } from '../field-messages.ts';

const stockMessage = inBoth('A whole number of devices, 0 or more, e.g. 120.', 'Un nombre entier d’équipements, 0 ou plus, par exemple 120.');

/** A public donor's retired IT equipment in stock on 1 January (the décret's B): the API's body and the donor's form. */
export const retiredStockInput = z.object({
  devices: z
    .number(stockMessage)
    .int(stockMessage)
    .min(0, stockMessage)
    .max(10_000_000, inBoth('At most 10 million devices.', 'Au plus 10 millions d’équipements.')),
});

/** A calendar year of attestation. */
export const attestationYear = z.coerce
  .number(inBoth('A year, e.g. 2025.', 'Une année, par exemple 2025.'))
  .int(inBoth('A year, e.g. 2025.', 'Une année, par exemple 2025.'))
  .min(2000, inBoth('A year from 2000.', 'Une année à partir de 2000.'))
  .max(2100, inBoth('A year until 2100.', 'Une année jusqu’à 2100.'));
