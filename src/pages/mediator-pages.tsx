import { Hono } from 'hono';
import { householdInput } from '../allocation/households.input.ts';
import { createHousehold, listHouseholds } from '../allocation/households.service.ts';
import { listProgrammes } from '../allocation/programmes.service.ts';
import { allocationRights, mayInAllocation } from '../allocation/rights.ts';
import type { FieldError } from '../errors.ts';
import { lookUpCommune } from '../geography/communes.ts';
import { attempt, Checkbox, errorFor, Field, formNumber, formValues, parseForm } from './forms.tsx';
import { criterionLabel, longDate } from './fr.ts';
import { CsrfField, ErrorSummary, Layout } from './layout.tsx';
import { requestPageRoutes } from './request-page.tsx';
import { requestsPageRoutes } from './requests-pages.tsx';
import { postedForm, viewerOf, type PageEnv, type Viewer, type Database } from './session.ts';
import { sessionsPageRoutes } from './sessions-page.tsx';
import { seeOther } from './redirect.ts';

const mediatorRoles = ['mediator', 'admin'] as const;

const attestationField = (criterion: string) => `attestation-${criterion}`;

type HouseholdFormState = { fields?: Record<string, string>; errors?: FieldError[]; detail?: string };

function HouseholdForm({ viewer, criteria, fields = {}, errors, detail }: HouseholdFormState & { viewer: Viewer; criteria: string[] }) {
  return (
    <Layout title="Nouvelle famille" viewer={viewer} current="/households">
      <h1>Enregistrer une famille</h1>
      <ErrorSummary errors={errors ?? []} />
      {detail ? <p class="notice bad">{detail}</p> : null}
      <p>Le minimum pour la demande : pas de pièce justificative, pas de date de naissance. Les champs marqués * sont obligatoires.</p>
      <form method="post" action="/households/new" novalidate>
        <CsrfField viewer={viewer} />
        <Field
          name="reference"
          label="Référence de la famille"
          hint="Celle de votre structure, par exemple CSV-2026-014 ; pas de nom."
          value={fields.reference}
          required
          error={errorFor(errors, 'reference')}
        />
        <Field
          name="communeCode"
          label="Code INSEE de la commune"
          hint="5 caractères, par exemple 47001 pour Agen."
          value={fields.communeCode}
          required
          error={errorFor(errors, 'communeCode')}
        />
        <Field name="size" label="Nombre de personnes du foyer" type="number" min="1" max="30" value={fields.size} required error={errorFor(errors, 'size')} />
        <fieldset>
          <legend>Contact pour les rappels (téléphone ou e-mail)</legend>
          <Field name="contactPhone" label="Téléphone" type="tel" autocomplete="off" value={fields.contactPhone} error={errorFor(errors, 'contactPhone')} />
          <Field
            name="contactEmail"
            label="Adresse e-mail"
            type="email"
            autocomplete="off"
            value={fields.contactEmail}
            error={errorFor(errors, 'contactEmail')}
          />
        </fieldset>
        {criteria.length > 0 ? (
          <fieldset>
            <legend>Ce que vous attestez pour cette famille</legend>
            {criteria.map((criterion) => (
              <Checkbox name={attestationField(criterion)} label={criterionLabel(criterion)} checked={fields[attestationField(criterion)] === 'on'} />
            ))}
          </fieldset>
        ) : null}
        <Checkbox
          name="consent"
          label="La famille accepte que ces informations soient conservées pour sa demande d’équipement."
          checked={fields.consent === 'on'}
          error={errorFor(errors, 'consent')}
        />
        <div class="actions">
          <button type="submit" class="big">
            Enregistrer la famille
          </button>
        </div>
      </form>
    </Layout>
  );
}

/** The criteria of every programme, to attest: what the network's programmes ask of a family. */
async function programmeCriteria(database: Database) {
  return [...new Set((await listProgrammes(database.db)).flatMap((programme) => programme.eligibilityCriteria))];
}

/** The mediators' pages: their families, their requests and the training sessions to book. */
export function mediatorPageRoutes(database: Database, appSecret: string) {
  const { db } = database;
  return new Hono<PageEnv>()
    .get('/households', async (c) => {
      const viewer = viewerOf(c, mediatorRoles);
      const families = await listHouseholds(db, viewer);
      const added = families.find((family) => family.id === c.req.query('ajoutee'));
      return c.html(
        <Layout title="Familles" viewer={viewer} current="/households">
          <h1>Familles suivies</h1>
          {added ? (
            <p class="notice ok" role="status">
              Famille {added.reference} enregistrée. <a href={`/requests/new?householdId=${added.id}`}>Déposer sa demande d’équipement</a>
            </p>
          ) : null}
          {mayInAllocation(viewer, 'record_families') ? (
            <p class="actions">
              <a class="button" href="/households/new">
                Enregistrer une famille
              </a>
            </p>
          ) : null}
          {families.length === 0 ? (
            <p>Aucune famille enregistrée pour le moment.</p>
          ) : (
            <table>
              <caption>Familles ({families.length})</caption>
              <thead>
                <tr>
                  <th scope="col">Référence</th>
                  <th scope="col">Commune</th>
                  <th scope="col">Personnes</th>
                  <th scope="col">Enregistrée le</th>
                  <th scope="col">Demande</th>
                </tr>
              </thead>
              <tbody>
                {families.map((family) => {
                  const commune = lookUpCommune(family.communeCode);
                  return (
                    <tr data-household-id={family.id}>
                      <th scope="row">{family.reference}</th>
                      <td>{commune.ok ? `${commune.commune.name} (${family.communeCode})` : family.communeCode}</td>
                      <td>{family.size}</td>
                      <td>{longDate(family.createdAt)}</td>
                      <td>
                        {mayInAllocation(viewer, 'file_requests') ? (
                          <a href={`/requests/new?householdId=${family.id}`}>
                            Nouvelle demande<span class="visually-hidden"> pour {family.reference}</span>
                          </a>
                        ) : (
                          '—'
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </Layout>,
      );
    })
    .get('/households/new', async (c) => {
      const viewer = viewerOf(c, allocationRights.record_families.roles);
      return c.html(<HouseholdForm viewer={viewer} criteria={await programmeCriteria(database)} />);
    })
    .post('/households/new', async (c) => {
      const viewer = viewerOf(c, allocationRights.record_families.roles);
      const fields = await postedForm(c, viewer, appSecret);
      const criteria = await programmeCriteria(database);
      const again = (state: HouseholdFormState, status: 409 | 422) =>
        c.html(<HouseholdForm viewer={viewer} criteria={criteria} fields={fields} {...state} />, status);
      const parsed = parseForm(householdInput, {
        ...formValues(fields, ['reference', 'communeCode', 'contactPhone', 'contactEmail']),
        size: formNumber(fields.size),
        consent: fields.consent === 'on' || undefined,
        attestations: criteria.filter((criterion) => fields[attestationField(criterion)] === 'on'),
      });
      const errors = parsed.ok ? [] : [...parsed.errors];
      // The page asks for a way to reach the family, for the training and handover reminders.
      if (parsed.ok && !parsed.value.contactPhone && !parsed.value.contactEmail) {
        errors.push({ path: 'contactPhone', message: 'Indiquez un téléphone ou une adresse e-mail, pour les rappels de formation et de remise.' });
      }
      if (!parsed.ok || errors.length > 0) return again({ errors }, 422);
      const outcome = await attempt(() => createHousehold(db, viewer, parsed.value));
      if (!outcome.ok) return again(outcome, outcome.status);
      return seeOther(c, `/households?ajoutee=${outcome.value.id}`);
    })
    .route('/', requestsPageRoutes(database, appSecret))
    .route('/', requestPageRoutes(database, appSecret))
    .route('/', sessionsPageRoutes(database));
}
