import { Hono } from 'hono';
import type { FieldError } from '../errors.ts';
import { parseInFrench } from '../field-messages.ts';
import { currentReuseStatement, latestReuseAttestation, publicDonorsFor, setRetiredStock } from '../reuse/attestations.service.ts';
import { attestationYear, retiredStockInput } from '../reuse/reuse.input.ts';
import { reuseAttestationRoles } from '../reuse/rights.ts';
import { attempt, errorFor, Field, formNumber, parseForm, Select } from './forms.tsx';
import { dateTime, deviceKindLabels, longDate, notCountedReasonLabels, percent, reuseOutcomeInFrench } from './fr.ts';
import { CsrfField, ErrorSummary, Layout } from './layout.tsx';
import { seeOther } from './redirect.ts';
import { postedForm, viewerOf, type PageEnv, type Viewer, type Database } from './session.ts';

type StockFormState = { fields?: Record<string, string>; errors?: FieldError[]; detail?: string };

const parisYear = () => Number(new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', year: 'numeric' }).format(new Date()));

/** The year and the donor a viewer asked for: by default the year under way (the last one is a choice away), and the first public donor the viewer may open (its own). */
async function choiceOf(database: Database, viewer: Viewer, query: Record<string, string>) {
  const asked = query.annee === undefined || query.annee === '' ? undefined : parseInFrench(attestationYear, query.annee);
  const year = asked?.ok ? asked.value : parisYear();
  const errors = asked && !asked.ok ? asked.errors.map((error) => ({ path: 'annee', message: error.message })) : [];
  const donors = await publicDonorsFor(database.db, viewer);
  const organisationId = donors.find((donor) => donor.id === query.structure)?.id ?? donors[0]?.id;
  return { organisationId, year, errors, donors };
}

type Choice = Awaited<ReturnType<typeof choiceOf>>;

const pageLink = (choice: Choice) =>
  `/reemploi?${new URLSearchParams({ annee: String(choice.year), ...(choice.organisationId ? { structure: choice.organisationId } : {}) })}`;

async function reusePage(database: Database, viewer: Viewer, choice: Choice, stockForm: StockFormState = {}) {
  const { db } = database;
  const { donors } = choice;
  const years = Array.from({ length: parisYear() - 2023 + 1 }, (_, index) => String(parisYear() - index));
  let statement: Awaited<ReturnType<typeof currentReuseStatement>> | undefined;
  let latest: Awaited<ReturnType<typeof latestReuseAttestation>> = null;
  if (choice.organisationId && choice.errors.length === 0) {
    statement = await currentReuseStatement(db, viewer, choice.organisationId, choice.year);
    latest = await latestReuseAttestation(db, viewer, choice.organisationId, choice.year);
  }
  const pdfLink = choice.organisationId ? `/api/organisations/${choice.organisationId}/reuse-attestations/${choice.year}.pdf` : undefined;
  return (
    <Layout title="Attestation de réemploi" viewer={viewer} current="/reemploi">
      <h1>Attestation de réemploi</h1>
      <p>
        Chaque année, une personne publique (commune, EPCI, département) justifie la part de ses matériels informatiques réformés orientés vers le réemploi (loi
        REEN, décret n° 2023-266). Un équipement compte s’il a été donné sous une convention signée avant la collecte et remis à un foyer.
      </p>
      <ErrorSummary errors={[...choice.errors, ...(stockForm.errors ?? [])]} detail={stockForm.detail} />
      <form method="get" action="/reemploi" class="filters" role="search" aria-label="Choisir l’année">
        <Select
          name="annee"
          label="Année"
          value={String(choice.year)}
          error={errorFor(choice.errors, 'annee')}
          options={years.map((year) => ({ value: year, label: year }))}
        />
        {donors.length > 1 ? (
          <Select
            name="structure"
            label="Donateur public"
            value={choice.organisationId}
            options={donors.map((donor) => ({ value: donor.id, label: donor.name }))}
          />
        ) : null}
        <div class="actions">
          <button type="submit">Afficher</button>
        </div>
      </form>
      {donors.length === 0 ? (
        <p class="notice warn">
          Aucune personne publique donatrice ne vous est accessible : une structure donatrice y figure une fois enregistrée comme personne publique, avec son
          numéro SIREN, par la coordination du réseau.
        </p>
      ) : null}
      {statement && choice.organisationId ? (
        <section aria-labelledby="attestation">
          <h2 id="attestation">
            {statement.donor.name} — {statement.year}
          </h2>
          <p>
            {statement.yearComplete
              ? `Situation au 31 décembre ${statement.year}.`
              : `Année en cours : situation au ${longDate(new Date(new Date(statement.asOf).getTime() - 1))} au soir.`}{' '}
            {latest ? `Dernière attestation signée le ${dateTime(latest.issuedAt)}.` : 'Aucune attestation signée pour cette année.'}
          </p>
          <dl class="facts">
            <dt>Équipements donnés dans l’année</dt>
            <dd data-testid="given">{statement.totals.given}</dd>
            <dt>Comptés comme réemployés (A)</dt>
            <dd data-testid="counted">{statement.totals.counted}</dd>
            <dt>Stock réformé au 1er janvier (B)</dt>
            <dd data-testid="stock">{statement.retiredStockOnJanuaryFirst ?? 'non déclaré'}</dd>
            <dt>Taux de réemploi (A / B)</dt>
            <dd data-testid="rate">{statement.reuseRate === null ? '—' : percent(statement.reuseRate)}</dd>
            <dt>Objectif de l’année</dt>
            <dd data-testid="target">
              {statement.target ? (
                <>
                  {percent(statement.target.share)} (<a href={statement.target.sourceUrl}>décret n° 2023-266, article 3</a>)
                </>
              ) : (
                'aucun objectif fixé pour cette année'
              )}
            </dd>
          </dl>
          <p>
            <a href={pdfLink} data-testid="pdf">
              Télécharger l’attestation signée (PDF)
            </a>
          </p>
          <h3>Stock de matériels réformés au 1er janvier {statement.year}</h3>
          <form method="post" action={`/reemploi/stock?${new URLSearchParams({ annee: String(choice.year), structure: choice.organisationId })}`} novalidate>
            <CsrfField viewer={viewer} />
            <Field
              name="devices"
              label="Nombre d’équipements réformés en stock au 1er janvier"
              hint="Le B du décret : les écrans et petits équipements informatiques dont vous n’aviez plus l’usage, hors matériels de plus de dix ans."
              type="number"
              min="0"
              step="1"
              value={stockForm.fields?.devices ?? (statement.retiredStockOnJanuaryFirst === null ? undefined : String(statement.retiredStockOnJanuaryFirst))}
              error={errorFor(stockForm.errors, 'devices')}
            />
            <button type="submit">Enregistrer le stock</button>
          </form>
          <table>
            <caption>Équipements donnés en {statement.year} et leur devenir</caption>
            <thead>
              <tr>
                <th scope="col">Code</th>
                <th scope="col">Équipement</th>
                <th scope="col">Collecté le</th>
                <th scope="col">Certificat d’effacement</th>
                <th scope="col">Devenir</th>
                <th scope="col">Comptage</th>
              </tr>
            </thead>
            <tbody>
              {statement.devices.map((device) => (
                <tr data-code={device.code}>
                  <td>{device.code}</td>
                  <td>
                    {deviceKindLabels[device.kind]} {device.manufacturer} {device.model}
                  </td>
                  <td>{longDate(device.collectedOn)}</td>
                  <td>{device.wipeCertificateId ? <a href={`/verify/${device.wipeCertificateId}`}>Vérifier</a> : '—'}</td>
                  <td>{reuseOutcomeInFrench(device)}</td>
                  <td>{device.notCountedBecause ? notCountedReasonLabels[device.notCountedBecause] : 'Compté'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </Layout>
  );
}

/** A public donor's page: its year's reuse, the retired stock it declares, and the signed attestation to download. */
export function reusePageRoutes(database: Database, appSecret: string) {
  return new Hono<PageEnv>()
    .get('/reemploi', async (c) => {
      const viewer = viewerOf(c, reuseAttestationRoles);
      return c.html(await reusePage(database, viewer, await choiceOf(database, viewer, c.req.query())));
    })
    .post('/reemploi/stock', async (c) => {
      const viewer = viewerOf(c, reuseAttestationRoles);
      const fields = await postedForm(c, viewer, appSecret);
      const choice = await choiceOf(database, viewer, c.req.query());
      const parsed = parseForm(retiredStockInput, { devices: formNumber(fields.devices) });
      const { organisationId } = choice;
      const outcome =
        parsed.ok && organisationId && choice.errors.length === 0
          ? await attempt(() => setRetiredStock(database.db, viewer, organisationId, choice.year, parsed.value))
          : { ...(parsed.ok ? { errors: [] } : parsed), ok: false as const, status: 422 as const };
      if (!outcome.ok) return c.html(await reusePage(database, viewer, choice, { fields, ...outcome }), outcome.status);
      return seeOther(c, pageLink(choice));
    });
}
