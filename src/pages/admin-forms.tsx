import type { FC } from 'hono/jsx';
import { z } from 'zod';
import { organisationKindsForRole, roles, type Role } from '../auth/roles.ts';
import { userInput } from '../auth/users.input.ts';
import { createUser } from '../auth/users.service.ts';
import { DomainError, notFoundAsField, ValidationError, type FieldError } from '../errors.ts';
import { inBoth } from '../field-messages.ts';
import { siteInput } from '../organisations/organisations.input.ts';
import { siteKinds, type OrganisationKind } from '../organisations/organisations.types.ts';
import { createSite } from '../organisations/sites.service.ts';
import { attempt, errorFor, Field, formValuesAs, parseForm, Select, type Option } from './forms.tsx';
import { organisationKindLabels, roleLabels, siteKindLabels } from './fr.ts';
import { CsrfField } from './layout.tsx';
import type { Viewer, DbOrTx } from './session.ts';

/** The coordinator's forms for accounts and sites; their fields are named apart from the organisation form's, as they share a page. */

export type FormState = { fields?: Record<string, string>; errors?: FieldError[]; detail?: string };
type OrganisationChoice = { id: string; name: string; kind: OrganisationKind };

const organisationOptions = (organisations: OrganisationChoice[]): Option[] =>
  organisations.map((organisation) => ({ value: organisation.id, label: `${organisation.name} (${organisationKindLabels[organisation.kind]})` }));

/** The account form's fields, the organisation's named apart from the site form's on the same page. */
const userFormNames = { organisationId: 'userOrganisationId', email: 'email', displayName: 'displayName', role: 'role', password: 'password' };

/** The site form's fields, named apart from the organisation form's on the same page. */
const siteFormNames = {
  organisationId: 'siteOrganisationId',
  name: 'siteName',
  kind: 'siteKind',
  address: 'address',
  postalCode: 'postalCode',
  communeCode: 'communeCode',
};
const siteForm = siteInput.extend({ organisationId: z.uuid(inBoth('Choose the organisation of the place.', 'Choisissez la structure du lieu.')) });

/** Why a role does not fit an organisation, in French (the domain says it in English). */
function roleMismatch(role: Role, organisation: OrganisationChoice | undefined) {
  const kinds = organisationKindsForRole[role].map((kind) => `« ${organisationKindLabels[kind]} »`).join(' ou ');
  const actual = organisation ? ` ; ${organisation.name} est de type « ${organisationKindLabels[organisation.kind]} »` : '';
  return `Le rôle « ${roleLabels[role]} » est réservé aux structures de type ${kinds}${actual}.`;
}

/** An e-mail already in use is the e-mail field's problem, shown next to it. */
const takenEmailAsField =
  (email: string) =>
  (error: unknown): never => {
    if (error instanceof DomainError && error.code === 'email_taken')
      throw new ValidationError([{ path: 'email', message: `Un compte utilise déjà l’adresse ${email}.` }]);
    throw error;
  };

export async function createUserFromForm(db: DbOrTx, viewer: Viewer, fields: Record<string, string>, organisations: OrganisationChoice[]) {
  const parsed = parseForm(userInput, { ...formValuesAs(fields, userFormNames), email: fields.email?.trim() || undefined }, userFormNames);
  if (!parsed.ok) return { ...parsed, status: 422 as const };
  const input = parsed.value;
  const organisation = organisations.find((candidate) => candidate.id === input.organisationId);
  return attempt(
    () =>
      createUser(db, viewer, input)
        .catch(notFoundAsField('userOrganisationId', 'Cette structure n’existe pas : choisissez-en une dans la liste.'))
        .catch(takenEmailAsField(input.email)),
    { role: roleMismatch(input.role, organisation) },
  );
}

export async function createSiteFromForm(db: DbOrTx, viewer: Viewer, fields: Record<string, string>) {
  const parsed = parseForm(siteForm, formValuesAs(fields, siteFormNames), siteFormNames);
  if (!parsed.ok) return { ...parsed, status: 422 as const };
  return attempt(() =>
    createSite(db, viewer, parsed.value).catch(notFoundAsField('siteOrganisationId', 'Cette structure n’existe pas : choisissez-en une dans la liste.')),
  );
}

type FormProps = FormState & { viewer: Viewer; organisations: OrganisationChoice[] };

export const UserForm: FC<FormProps> = ({ viewer, organisations, fields = {}, errors }) => (
  <form method="post" action="/admin/users" novalidate>
    <CsrfField viewer={viewer} />
    <Select
      name="userOrganisationId"
      label="Structure"
      required
      empty="Choisir la structure"
      value={fields.userOrganisationId}
      error={errorFor(errors, 'userOrganisationId')}
      options={organisationOptions(organisations)}
    />
    <Field name="email" label="Adresse e-mail" type="email" autocomplete="off" required value={fields.email} error={errorFor(errors, 'email')} />
    <Field name="displayName" label="Nom affiché" required value={fields.displayName} error={errorFor(errors, 'displayName')} />
    <Select
      name="role"
      label="Rôle"
      hint="Il doit correspondre au type de la structure."
      required
      empty="Choisir le rôle"
      value={fields.role}
      error={errorFor(errors, 'role')}
      options={roles.map((role) => ({ value: role, label: roleLabels[role] }))}
    />
    {/* The password is never sent back in the page, even when the form is refused. */}
    <Field
      name="password"
      label="Mot de passe provisoire"
      hint="12 caractères au moins, à transmettre à la personne."
      type="password"
      autocomplete="new-password"
      required
      error={errorFor(errors, 'password')}
    />
    <button type="submit">Créer le compte</button>
  </form>
);

export const SiteForm: FC<FormProps> = ({ viewer, organisations, fields = {}, errors }) => (
  <form method="post" action="/admin/sites" novalidate>
    <CsrfField viewer={viewer} />
    <Select
      name="siteOrganisationId"
      label="Structure"
      required
      empty="Choisir la structure"
      value={fields.siteOrganisationId}
      error={errorFor(errors, 'siteOrganisationId')}
      options={organisationOptions(organisations)}
    />
    <Field name="siteName" label="Nom du lieu" required value={fields.siteName} error={errorFor(errors, 'siteName')} />
    <Select
      name="siteKind"
      label="Type de lieu"
      required
      empty="Choisir le type"
      value={fields.siteKind}
      error={errorFor(errors, 'siteKind')}
      options={siteKinds.map((kind) => ({ value: kind, label: siteKindLabels[kind] }))}
    />
    <Field name="address" label="Adresse" required value={fields.address} error={errorFor(errors, 'address')} />
    <Field name="postalCode" label="Code postal" hint="Facultatif." value={fields.postalCode} error={errorFor(errors, 'postalCode')} />
    <Field
      name="communeCode"
      label="Code INSEE de la commune"
      hint="5 caractères, par exemple 47001 pour Agen."
      required
      value={fields.communeCode}
      error={errorFor(errors, 'communeCode')}
    />
    <button type="submit">Ajouter le lieu</button>
  </form>
);
