import type { FC } from 'hono/jsx';
import { z } from 'zod';
import { notFoundAsField } from '../errors.ts';
import { inBoth } from '../field-messages.ts';
import { publicContactInput } from '../organisations/organisations.input.ts';
import type { PublicContact } from '../organisations/organisations.types.ts';
import { setOrganisationPublicContact } from '../organisations/public-contact.ts';
import { updateSite } from '../organisations/sites.service.ts';
import type { FormState } from './admin-forms.tsx';
import { attempt, errorFor, Field, parseForm, Select } from './forms.tsx';
import { CsrfField } from './layout.tsx';
import type { Viewer, DbOrTx } from './session.ts';

/**
 * The contact a structure or one of its places publishes on the public card of its devices (what
 * someone who finds one reads): nothing unless the coordinator sets it; emptied, it is withdrawn.
 */
const contactForm = publicContactInput.extend({
  // One list offers the structures and their places: the choice names which, and its id.
  contactOf: z.string().regex(/^(organisation|site):[0-9a-f-]{36}$/, inBoth('Choose the organisation or the place.', 'Choisissez la structure ou le lieu.')),
});

/** A field left blank is a contact withdrawn (null), as the API takes it. */
const blankAsWithdrawn = (value: string | undefined) => (value === undefined || value.trim() === '' ? null : value.trim());

type Holder = { id: string; name: string } & PublicContact;

/** "05 53 12 34 56, contact@atelier.fr", or that nothing is published. */
export const publishedContact = (holder: PublicContact) => [holder.publicPhone, holder.publicEmail].filter(Boolean).join(', ') || 'non publié';

export async function setPublicContactFromForm(db: DbOrTx, viewer: Viewer, fields: Record<string, string>) {
  const parsed = parseForm(contactForm, {
    contactOf: fields.contactOf,
    publicPhone: blankAsWithdrawn(fields.publicPhone),
    publicEmail: blankAsWithdrawn(fields.publicEmail),
  });
  if (!parsed.ok) return { ...parsed, status: 422 as const };
  const { contactOf, ...contact } = parsed.value;
  const [kind, id] = contactOf.split(':') as ['organisation' | 'site', string];
  const missing = notFoundAsField('contactOf', 'Cette structure ou ce lieu n’existe pas : choisissez dans la liste.');
  return attempt(
    async (): Promise<{ id: string; name: string }> =>
      (kind === 'organisation' ? setOrganisationPublicContact(db, viewer, id, contact) : updateSite(db, viewer, id, contact)).catch(missing),
  );
}

export const PublicContactForm: FC<FormState & { viewer: Viewer; organisations: Holder[]; sites: Holder[] }> = ({
  viewer,
  organisations,
  sites,
  fields = {},
  errors,
}) => (
  <form method="post" action="/admin/public-contact" novalidate>
    <CsrfField viewer={viewer} />
    <Select
      name="contactOf"
      label="Structure ou lieu"
      required
      empty="Choisir"
      value={fields.contactOf}
      error={errorFor(errors, 'contactOf')}
      options={[
        ...organisations.map((organisation) => ({
          value: `organisation:${organisation.id}`,
          label: `Structure — ${organisation.name} (${publishedContact(organisation)})`,
        })),
        ...sites.map((site) => ({ value: `site:${site.id}`, label: `Lieu — ${site.name} (${publishedContact(site)})` })),
      ]}
    />
    <Field
      name="publicPhone"
      label="Téléphone publié"
      hint="Laissez vide pour ne pas publier de téléphone."
      type="tel"
      value={fields.publicPhone}
      error={errorFor(errors, 'publicPhone')}
    />
    <Field
      name="publicEmail"
      label="Adresse e-mail publiée"
      hint="Laissez vide pour ne pas publier d’adresse."
      type="email"
      value={fields.publicEmail}
      error={errorFor(errors, 'publicEmail')}
    />
    <button type="submit">Enregistrer le contact public</button>
  </form>
);
