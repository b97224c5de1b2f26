import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { listProgrammes } from '../allocation/programmes.service.ts';
import type { FieldError } from '../errors.ts';
import { allocationsInput, contributionInput, fundReportQuery } from '../fund/fund.input.ts';
import { fundReport, listFunders, recordContribution, setFundAllocations, type FundReport } from '../fund/fund.service.ts';
import { fundRights, mayInFund } from '../fund/rights.ts';
import { frenchNumber } from '../indicators/indicators-csv.ts';
import { attempt, errorFor, Field, formNumber, formValuesAs, parseForm, Select } from './forms.tsx';
import { deviceKindLabels, euros } from './fr.ts';
import { CsrfField, ErrorSummary, Layout } from './layout.tsx';
import { seeOther } from './redirect.ts';
import { postedForm, viewerOf, type PageEnv, type Viewer, type Database } from './session.ts';

/** An amount typed in euros (15 000, 15000,50), in cents for the module; blank is absent, anything else read as typed. */
const formCents = (value: string | undefined) => {
  const euros = formNumber(value?.replace(/[\s\u202f€]/g, ''));
  return euros === undefined ? undefined : Math.round(euros * 100);
};

const contributionFormNames = {
  funderOrganisationId: 'funderOrganisationId',
  year: 'contributionYear',
  amountCents: 'amount',
  conventionReference: 'conventionReference',
  signedOn: 'signedOn',
};

type Programme = { id: string; name: string };
const shareField = (programme: Programme) => `share-${programme.id}`;

type FormState = { fields?: Record<string, string>; errors?: FieldError[]; form?: 'contribution' | 'shares' };

const money = (cents: number | null) => (cents === null ? '—' : euros(cents));

const ReportTables: FC<{ report: FundReport; forFunder: boolean }> = ({ report, forFunder }) => (
  <>
    <p>
      Fonds {report.year} : {euros(report.fundCents)}, dont {euros(report.unallocatedCents)} non affectés aux dispositifs.
      {forFunder ? ` Votre contribution : ${euros(report.funderCents)}, soit ${frenchNumber(report.funderSharePercent)} % du fonds.` : ''}
    </p>
    <table>
      <caption>Conventions {report.year}</caption>
      <thead>
        <tr>
          <th scope="col">Financeur</th>
          <th scope="col">Convention</th>
          <th scope="col">Signée le</th>
          <th scope="col">Montant</th>
        </tr>
      </thead>
      <tbody>
        {report.contributions.map((contribution) => (
          <tr>
            <th scope="row">{contribution.funderName}</th>
            <td>{contribution.conventionReference}</td>
            <td>{contribution.signedOn}</td>
            <td>{euros(contribution.amountCents)}</td>
          </tr>
        ))}
      </tbody>
    </table>
    <table>
      <caption>Ce que le fonds a financé en {report.year}, par dispositif</caption>
      <thead>
        <tr>
          <th scope="col">Dispositif</th>
          <th scope="col">Part du fonds</th>
          <th scope="col">Montant</th>
          <th scope="col">Familles équipées</th>
          <th scope="col">Familles formées</th>
          <th scope="col">Équipements remis</th>
          <th scope="col">Prix solidaires payés</th>
          <th scope="col">Coût par famille équipée</th>
          {forFunder ? <th scope="col">Votre part (montant, familles équipées, formées)</th> : null}
        </tr>
      </thead>
      <tbody>
        {report.programmes.map((programme) => (
          <tr>
            <th scope="row">{programme.programmeName}</th>
            <td>{programme.sharePercent} %</td>
            <td>{euros(programme.fundedCents)}</td>
            <td>{programme.familiesEquipped}</td>
            <td>{programme.familiesTrained}</td>
            <td>
              {Object.entries(programme.devicesByKind)
                .map(([kind, count]) => `${deviceKindLabels[kind as keyof typeof deviceKindLabels] ?? kind} : ${count}`)
                .join(', ') || '—'}
            </td>
            <td>{euros(programme.solidarityPricesCents)}</td>
            <td>{money(programme.costPerEquippedFamilyCents)}</td>
            {forFunder ? (
              <td>
                {euros(programme.funderPart.paidCents)}, {frenchNumber(programme.funderPart.familiesEquipped)},{' '}
                {frenchNumber(programme.funderPart.familiesTrained)}
              </td>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
    <table>
      <caption>Familles équipées et formées par département où elles vivent</caption>
      <thead>
        <tr>
          <th scope="col">Dispositif</th>
          <th scope="col">Département</th>
          <th scope="col">Familles équipées</th>
          <th scope="col">Familles formées</th>
        </tr>
      </thead>
      <tbody>
        {report.programmes.flatMap((programme) =>
          programme.byDepartement.map((departement) => (
            <tr>
              <th scope="row">{programme.programmeName}</th>
              <td>
                {departement.name} ({departement.code})
              </td>
              <td>{departement.familiesEquipped}</td>
              <td>{departement.familiesTrained}</td>
            </tr>
          )),
        )}
      </tbody>
    </table>
    <p>
      Prix solidaire qu’une famille peut payer à la remise, au plus ({report.solidarityPriceCaps.source}) :{' '}
      {Object.entries(report.solidarityPriceCaps.capsCents)
        .map(([kind, cents]) => `${deviceKindLabels[kind as keyof typeof deviceKindLabels]} ${euros(cents)}`)
        .join(', ')}
      ; gratuit pour les autres équipements.
    </p>
  </>
);

const ContributionForm: FC<FormState & { viewer: Viewer; year: number; funders: { id: string; name: string }[] }> = ({
  viewer,
  year,
  funders,
  fields,
  errors,
}) => (
  <form method="post" action="/pilotage/fonds/conventions" novalidate>
    <CsrfField viewer={viewer} />
    <Select
      name="funderOrganisationId"
      label="Financeur"
      required
      empty="Choisir le financeur"
      value={fields?.funderOrganisationId}
      error={errorFor(errors, 'funderOrganisationId')}
      options={funders.map((funder) => ({ value: funder.id, label: funder.name }))}
    />
    <Field
      name="contributionYear"
      label="Année"
      type="number"
      step="1"
      required
      value={fields?.contributionYear ?? String(year)}
      error={errorFor(errors, 'contributionYear')}
    />
    <Field name="amount" label="Montant (en euros)" hint="Par exemple 15 000" required value={fields?.amount} error={errorFor(errors, 'amount')} />
    <Field
      name="conventionReference"
      label="Référence de la convention"
      required
      value={fields?.conventionReference}
      error={errorFor(errors, 'conventionReference')}
    />
    <Field name="signedOn" label="Signée le" type="date" required value={fields?.signedOn} error={errorFor(errors, 'signedOn')} />
    <button type="submit">Enregistrer la convention</button>
  </form>
);

const SharesForm: FC<FormState & { viewer: Viewer; year: number; programmes: Programme[]; shares: Map<string, number> }> = ({
  viewer,
  year,
  programmes,
  shares,
  fields,
  errors,
}) => (
  <form method="post" action={`/pilotage/fonds/parts?annee=${year}`} novalidate>
    <CsrfField viewer={viewer} />
    <fieldset id="champ-shares" tabindex={-1}>
      <legend>Part du fonds {year} de chaque dispositif (en %, vide : aucune)</legend>
      {errorFor(errors, 'shares') && !programmes.some((programme) => errorFor(errors, shareField(programme))) ? (
        <p class="error">{errorFor(errors, 'shares')}</p>
      ) : null}
      {programmes.map((programme) => (
        <Field
          name={shareField(programme)}
          label={programme.name}
          type="number"
          min="1"
          max="100"
          step="1"
          value={fields ? fields[shareField(programme)] : shares.get(programme.id)}
          error={errorFor(errors, shareField(programme))}
        />
      ))}
    </fieldset>
    <button type="submit">Enregistrer les parts</button>
  </form>
);

/**
 * The funders' fund (/pilotage/fonds): for the coordinator, the year's conventions, the
 * steering committee's shares and what they paid for, with the forms to record them; for a
 * funder, its own part (what its money paid for), never a family.
 */
export function fundPageRoutes(database: Database, appSecret: string) {
  const { db } = database;
  const yearOf = (asked: string | undefined) => {
    const parsed = fundReportQuery.shape.year.safeParse(asked ?? '');
    return parsed.success ? parsed.data : new Date().getFullYear();
  };

  async function page(viewer: Viewer, year: number, funderId: string | undefined, state: FormState = {}, saved?: string) {
    const forFunder = viewer.role !== 'admin' || funderId !== undefined;
    const report = await fundReport(db, viewer, year, funderId);
    const coordinator = mayInFund(viewer, 'record_contributions');
    const [funders, programmes] = coordinator ? await Promise.all([listFunders(db), listProgrammes(db)]) : [[], []];
    const shares = new Map(report.programmes.map((programme) => [programme.programmeId, programme.sharePercent]));
    return (
      <Layout title="Fonds des financeurs" viewer={viewer} current="/pilotage/fonds">
        <h1>Fonds départemental d’inclusion numérique</h1>
        {saved ? (
          <p role="status" class="notice">
            {saved}
          </p>
        ) : null}
        <ErrorSummary errors={state.errors ?? []} />
        <form method="get" action="/pilotage/fonds" class="filters" aria-label="Choisir l’année">
          <Field name="annee" label="Année" type="number" step="1" value={String(year)} />
          {coordinator ? (
            <Select
              name="financeur"
              label="Part d’un financeur"
              empty="Tout le fonds"
              value={funderId}
              options={funders.map((funder) => ({ value: funder.id, label: funder.name }))}
            />
          ) : null}
          <div class="actions">
            <button type="submit">Afficher</button>
          </div>
        </form>
        <ReportTables report={report} forFunder={forFunder} />
        {coordinator ? (
          <>
            <h2>Nouvelle convention</h2>
            <ContributionForm viewer={viewer} year={year} funders={funders} {...(state.form === 'contribution' ? state : {})} />
            <h2>Décision du comité des financeurs</h2>
            <SharesForm viewer={viewer} year={year} programmes={programmes} shares={shares} {...(state.form === 'shares' ? state : {})} />
          </>
        ) : null}
      </Layout>
    );
  }

  return new Hono<PageEnv>()
    .get('/pilotage/fonds', async (c) => {
      const viewer = viewerOf(c, fundRights.read_reports.roles);
      const asked = c.req.query('financeur');
      const funderId = viewer.role === 'admin' && asked && fundReportQuery.shape.funderId.safeParse(asked).success ? asked : undefined;
      const saved =
        c.req.query('enregistre') === 'convention' ? 'Convention enregistrée.' : c.req.query('enregistre') === 'parts' ? 'Parts enregistrées.' : undefined;
      return c.html(await page(viewer, yearOf(c.req.query('annee')), funderId, {}, saved));
    })
    .post('/pilotage/fonds/conventions', async (c) => {
      const viewer = viewerOf(c, fundRights.record_contributions.roles);
      const fields = await postedForm(c, viewer, appSecret);
      const year = yearOf(fields.contributionYear);
      const parsed = parseForm(
        contributionInput,
        {
          ...formValuesAs(fields, { funderOrganisationId: 'funderOrganisationId', conventionReference: 'conventionReference', signedOn: 'signedOn' }),
          year: fields.contributionYear?.trim() ? Number(fields.contributionYear) : undefined,
          amountCents: formCents(fields.amount),
        },
        contributionFormNames,
      );
      const outcome = parsed.ok ? await attempt(() => recordContribution(db, viewer, parsed.value), {}, contributionFormNames) : parsed;
      if (!outcome.ok) return c.html(await page(viewer, year, undefined, { form: 'contribution', fields, errors: outcome.errors }), 422);
      return seeOther(c, `/pilotage/fonds?annee=${outcome.value.year}&enregistre=convention`);
    })
    .post('/pilotage/fonds/parts', async (c) => {
      const viewer = viewerOf(c, fundRights.decide_allocations.roles);
      const fields = await postedForm(c, viewer, appSecret);
      const year = yearOf(c.req.query('annee'));
      const chosen = (await listProgrammes(db)).filter((programme) => (fields[shareField(programme)] ?? '').trim() !== '');
      const formNames = Object.fromEntries(
        chosen.flatMap((programme, index) => [
          [`shares.${index}.sharePercent`, shareField(programme)],
          [`shares.${index}.programmeId`, shareField(programme)],
        ]),
      );
      const parsed = parseForm(
        allocationsInput,
        { shares: chosen.map((programme) => ({ programmeId: programme.id, sharePercent: Number(fields[shareField(programme)]!.trim().replace(',', '.')) })) },
        formNames,
      );
      const outcome = parsed.ok ? await attempt(() => setFundAllocations(db, viewer, year, parsed.value), {}, formNames) : parsed;
      if (!outcome.ok) return c.html(await page(viewer, year, undefined, { form: 'shares', fields, errors: outcome.errors }), 422);
      return seeOther(c, `/pilotage/fonds?annee=${year}&enregistre=parts`);
    });
}
