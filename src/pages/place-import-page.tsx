import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { ValidationError, type FieldError } from '../errors.ts';
import type { FileStore } from '../files/file-store.ts';
import { getJob } from '../jobs/jobs.service.ts';
import { nationalStandard } from '../places/national-standard.ts';
import { type ImportCount, importCounts, listPlaceImports, startPlaceImport } from '../places/places.import.ts';
import { errorFor, found } from './forms.tsx';
import { dateTime } from './fr.ts';
import { JobProgress, jobStateLabels } from './jobs-page.tsx';
import { CsrfField, ErrorSummary, Layout } from './layout.tsx';
import { seeOther } from './redirect.ts';
import { PageRefusal, postedBody, postedForm, viewerOf, type Database, type PageEnv, type Viewer } from './session.ts';

/**
 * The coordinator's import of other actors' places (a neighbour network's file, the national
 * consolidated export): the form, the last imports, and each import's result with its refused
 * lines. The places imported are shown on /lieux as "other actors", never edited here.
 */

const countLabels: Record<ImportCount, string> = {
  created: 'Lieux ajoutés',
  updated: 'Lieux mis à jour (date plus récente)',
  unchanged: 'Lieux inchangés',
  olderIgnored: 'Lignes ignorées (date plus ancienne que celle déjà connue)',
  refused: 'Lignes refusées',
};

const countOf = (summary: Record<string, unknown>, count: ImportCount) => Number(summary[count] ?? 0);

type ImportRow = { id: string; state: keyof typeof jobStateLabels; summary: Record<string, unknown>; createdAt: Date };

const Counts: FC<{ summary: Record<string, unknown> }> = ({ summary }) => (
  <dl class="facts" data-testid="import-summary">
    {importCounts.map((count) => (
      <>
        <dt>{countLabels[count]}</dt>
        <dd data-count={count}>{countOf(summary, count)}</dd>
      </>
    ))}
  </dl>
);

function ImportPage({ viewer, imports, errors = [] }: { viewer: Viewer; imports: ImportRow[]; errors?: FieldError[] }) {
  const fileError = errorFor(errors, 'file');
  return (
    <Layout title="Lieux d’autres acteurs" viewer={viewer} current="/admin">
      <h1>Importer les lieux d’autres acteurs</h1>
      <ErrorSummary errors={errors} />
      <p>
        Un fichier au schéma national des lieux de médiation numérique ({nationalStandard.name} {nationalStandard.version}) : celui d’un réseau voisin, ou
        l’export national consolidé publié sur data.gouv.fr. Chaque ligne est vérifiée ; les lieux valides apparaissent sur la carte des lieux parmi les «
        autres acteurs », sans pouvoir être modifiés ici. Un lieu déjà importé n’est remplacé que par une ligne dont la date de mise à jour (date_maj) est plus
        récente : renvoyer le même fichier ne change rien.
      </p>
      <form method="post" action="/admin/lieux/import" enctype="multipart/form-data">
        <CsrfField viewer={viewer} />
        <div class={fileError ? 'field invalid' : 'field'}>
          <label for="champ-file">
            Fichier CSV (UTF-8, séparateur virgule ou point-virgule, « | » entre les valeurs d’une même cellule)<span aria-hidden="true"> *</span>
          </label>
          <p class="hint" id="champ-file-aide">
            Les colonnes du schéma national ; obligatoires : id, pivot, nom, commune, code_postal, adresse, date_maj. 32 Mo au plus.
          </p>
          <input
            id="champ-file"
            name="file"
            type="file"
            accept=".csv,text/csv"
            required
            aria-invalid={fileError ? 'true' : undefined}
            aria-describedby={fileError ? 'champ-file-aide champ-file-erreur' : 'champ-file-aide'}
          />
          {fileError ? (
            <p class="error" id="champ-file-erreur">
              {fileError}
            </p>
          ) : null}
        </div>
        <button type="submit">Importer</button>
      </form>
      <h2>Derniers imports</h2>
      {imports.length === 0 ? (
        <p>Aucun import pour le moment.</p>
      ) : (
        <table>
          <caption>Imports de lieux ({imports.length})</caption>
          <thead>
            <tr>
              <th scope="col">Fichier</th>
              <th scope="col">Envoyé le</th>
              <th scope="col">État</th>
              <th scope="col">Ajoutés</th>
              <th scope="col">Mis à jour</th>
              <th scope="col">Inchangés</th>
              <th scope="col">Plus anciens</th>
              <th scope="col">Refusés</th>
            </tr>
          </thead>
          <tbody>
            {imports.map((job) => (
              <tr data-job-id={job.id}>
                <th scope="row">
                  <a href={`/admin/lieux/import/${job.id}`}>{String(job.summary.filename ?? 'lieux.csv')}</a>
                </th>
                <td>{dateTime(job.createdAt)}</td>
                <td>{jobStateLabels[job.state]}</td>
                {importCounts.map((count) => (
                  <td>{countOf(job.summary, count)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Les lieux du réseau au schéma national</h2>
      <p>
        Ce que la cartographie nationale et data.gouv.fr lisent, sous licence {nationalStandard.licence.id} : <a href="/api/places/export.csv">export CSV</a> et{' '}
        <a href="/api/places/export.json">export JSON</a>.
      </p>
    </Layout>
  );
}

async function importPage(database: Database, viewer: Viewer, errors?: FieldError[]) {
  const imports = (await listPlaceImports(database.db, viewer)) as ImportRow[];
  return <ImportPage viewer={viewer} imports={imports} errors={errors} />;
}

/** The result of one import: its counts and, line by line, each refused field with its reason in French. */
function ResultPage({ viewer, job }: { viewer: Viewer; job: Awaited<ReturnType<typeof getJob>> }) {
  const running = job.state === 'queued' || job.state === 'running';
  return (
    <Layout title="Import de lieux" viewer={viewer} current="/admin" scripts={running ? ['/assets/job.js'] : []}>
      <h1 data-job-id={running ? job.id : undefined}>Import de lieux : {String(job.summary.filename ?? 'lieux.csv')}</h1>
      <JobProgress job={job} label="Lignes lues" />
      <Counts summary={job.summary} />
      {job.errors.length > 0 ? (
        <table>
          <caption>Lignes refusées</caption>
          <thead>
            <tr>
              <th scope="col">Ligne</th>
              <th scope="col">Colonne</th>
              <th scope="col">Raison</th>
            </tr>
          </thead>
          <tbody>
            {job.errors.map((error) => (
              <tr>
                <td>{error.line}</td>
                <td>{error.field ?? ''}</td>
                <td>{error.french ?? error.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p>
        <a href="/admin/lieux/import">Importer un autre fichier</a> · <a href="/lieux">Voir la carte des lieux</a>
      </p>
    </Layout>
  );
}

export function placeImportPageRoutes(database: Database, fileStore: FileStore, appSecret: string) {
  const { db } = database;
  return new Hono<PageEnv>()
    .get('/admin/lieux/import', async (c) => c.html(await importPage(database, viewerOf(c, ['admin']))))
    .post('/admin/lieux/import', async (c) => {
      const viewer = viewerOf(c, ['admin']);
      const body = await postedBody(c);
      await postedForm(c, viewer, appSecret, body);
      const file = body.file;
      if (!(file instanceof File) || file.size === 0)
        return c.html(await importPage(database, viewer, [{ path: 'file', message: 'Choisissez le fichier CSV des lieux à importer.' }]), 422);
      try {
        const job = await startPlaceImport(db, fileStore, viewer, { filename: file.name || 'lieux.csv', content: new Uint8Array(await file.arrayBuffer()) });
        return seeOther(c, `/admin/lieux/import/${job.id}`);
      } catch (error) {
        if (error instanceof ValidationError) return c.html(await importPage(database, viewer, error.inFrench()), 422);
        throw error;
      }
    })
    .get('/admin/lieux/import/:id', async (c) => {
      const viewer = viewerOf(c, ['admin']);
      const job = await found(c.req.param('id'), 'Cet import', (id) => getJob(db, viewer, id));
      if (job.kind !== 'place_import') throw new PageRefusal(404, 'Cet import n’existe pas ou ne vous est pas accessible.');
      return c.html(<ResultPage viewer={viewer} job={job} />);
    });
}
