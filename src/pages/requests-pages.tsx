import { Hono } from 'hono';
import { listHouseholds } from '../allocation/households.service.ts';
import { listProgrammes } from '../allocation/programmes.service.ts';
import { listRequests, submitRequest } from '../allocation/requests.service.ts';
import { deviceKinds } from '../devices/devices.service.ts';
import type { FieldError } from '../errors.ts';
import { attempt, errorFor, Field, formNumber, formValues, parseForm, Select, TextArea } from './forms.tsx';
import { requestInput } from '../allocation/requests.input.ts';
import { deviceKindLabels, longDate, requestStatusLabels } from './fr.ts';
import { CsrfField, ErrorSummary, Layout } from './layout.tsx';
import { postedForm, viewerOf, type PageEnv, type Viewer, type Database } from './session.ts';
import { seeOther } from './redirect.ts';
import { allocationRights, mayInAllocation } from '../allocation/rights.ts';

const requestableKinds = deviceKinds.filter((kind) => kind !== 'access_point');

type Choices = { households: { id: string; reference: string }[]; programmes: { id: string; name: string }[] };
type RequestFormState = { fields?: Record<string, string>; errors?: FieldError[]; detail?: string };

function RequestForm({ viewer, choices, fields = {}, errors, detail }: RequestFormState & { viewer: Viewer; choices: Choices }) {
  return (
    <Layout title="Nouvelle demande" viewer={viewer} current="/requests">
      <h1>Déposer une demande d’équipement</h1>
      <ErrorSummary errors={errors ?? []} />
      {detail ? <p class="notice bad">{detail}</p> : null}
      {choices.households.length === 0 ? (
        <p class="notice warn">
          Enregistrez d’abord la famille : <a href="/households/new">enregistrer une famille</a>.
        </p>
      ) : null}
      <p>La demande est vérifiée aussitôt au regard du dispositif. Les champs marqués * sont obligatoires.</p>
      <form method="post" action="/requests/new" novalidate>
        <CsrfField viewer={viewer} />
        <Select
          name="householdId"
          label="Famille"
          required
          empty="Choisir une famille"
          value={fields.householdId}
          error={errorFor(errors, 'householdId')}
          options={choices.households.map((family) => ({ value: family.id, label: family.reference }))}
        />
        <Select
          name="programmeId"
          label="Dispositif"
          required
          empty="Choisir un dispositif"
          value={fields.programmeId}
          error={errorFor(errors, 'programmeId')}
          options={choices.programmes.map((programme) => ({ value: programme.id, label: programme.name }))}
        />
        <Select
          name="kind"
          label="Type d’équipement"
          required
          value={fields.kind ?? 'laptop'}
          error={errorFor(errors, 'kind')}
          options={requestableKinds.map((kind) => ({ value: kind, label: deviceKindLabels[kind] }))}
        />
        <Field
          name="minRamGb"
          label="Mémoire vive minimale (Go)"
          type="number"
          min="1"
          max="1024"
          step="any"
          hint="Facultatif : le minimum du dispositif s’applique toujours."
          value={fields.minRamGb}
          error={errorFor(errors, 'minRamGb')}
        />
        <TextArea
          name="notes"
          label="Remarques"
          hint="Facultatif : un besoin particulier (clavier, taille d’écran…). Pas d’information sur la santé ou la situation sociale."
          value={fields.notes}
          error={errorFor(errors, 'notes')}
        />
        <div class="actions">
          <button type="submit" class="big">
            Déposer la demande
          </button>
        </div>
      </form>
    </Layout>
  );
}

/** A mediator's equipment requests, and the form to file one. */
export function requestsPageRoutes(database: Database, appSecret: string) {
  const { db } = database;
  const choicesFor = async (viewer: Viewer): Promise<Choices> => {
    const [households, programmes] = await Promise.all([listHouseholds(db, viewer), listProgrammes(db)]);
    return { households, programmes };
  };
  return new Hono<PageEnv>()
    .get('/requests', async (c) => {
      const viewer = viewerOf(c, ['mediator', 'admin']);
      const [requests, choices] = await Promise.all([listRequests(db, viewer, {}), choicesFor(viewer)]);
      const household = new Map(choices.households.map((family) => [family.id, family.reference]));
      const programme = new Map(choices.programmes.map((item) => [item.id, item.name]));
      return c.html(
        <Layout title="Demandes" viewer={viewer} current="/requests">
          <h1>Demandes d’équipement</h1>
          {mayInAllocation(viewer, 'file_requests') ? (
            <p class="actions">
              <a class="button" href="/requests/new">
                Déposer une demande
              </a>
            </p>
          ) : null}
          {requests.length === 0 ? (
            <p>Aucune demande pour le moment.</p>
          ) : (
            <table>
              <caption>Demandes ({requests.length}), les plus anciennes d’abord</caption>
              <thead>
                <tr>
                  <th scope="col">Famille</th>
                  <th scope="col">Dispositif</th>
                  <th scope="col">Équipement</th>
                  <th scope="col">Déposée le</th>
                  <th scope="col">Statut</th>
                </tr>
              </thead>
              <tbody>
                {requests.map((request) => (
                  <tr data-request-id={request.id}>
                    <th scope="row">
                      <a href={`/requests/${request.id}`}>{household.get(request.householdId) ?? 'Famille'}</a>
                    </th>
                    <td>{programme.get(request.programmeId)}</td>
                    <td>{deviceKindLabels[request.need.kind]}</td>
                    <td>{longDate(request.createdAt)}</td>
                    <td>
                      <span class="status">{requestStatusLabels[request.status]}</span>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Layout>,
      );
    })
    .get('/requests/new', async (c) => {
      const viewer = viewerOf(c, allocationRights.file_requests.roles);
      const fields = { householdId: c.req.query('householdId') ?? '' };
      return c.html(<RequestForm viewer={viewer} choices={await choicesFor(viewer)} fields={fields} />);
    })
    .post('/requests/new', async (c) => {
      const viewer = viewerOf(c, allocationRights.file_requests.roles);
      const fields = await postedForm(c, viewer, appSecret);
      const choices = await choicesFor(viewer);
      const again = (state: RequestFormState, status: 409 | 422) =>
        c.html(<RequestForm viewer={viewer} choices={choices} fields={fields} {...state} />, status);
      const parsed = parseForm(
        requestInput,
        { ...formValues(fields, ['householdId', 'programmeId']), need: { ...formValues(fields, ['kind', 'notes']), minRamGb: formNumber(fields.minRamGb) } },
        { 'need.kind': 'kind', 'need.minRamGb': 'minRamGb', 'need.notes': 'notes' },
      );
      if (!parsed.ok) return again({ errors: parsed.errors }, 422);
      const outcome = await attempt(() => submitRequest(db, viewer, parsed.value), {
        householdId: 'Choisissez une des familles que vous suivez.',
        programmeId: 'Choisissez un des dispositifs de la liste.',
      });
      if (!outcome.ok) return again(outcome, outcome.status);
      return seeOther(c, `/requests/${outcome.value.id}`);
    });
}
