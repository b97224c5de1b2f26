import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { getJob } from '../jobs/jobs.service.ts';
import { dateTime } from './fr.ts';
import { found } from './forms.tsx';
import { Layout } from './layout.tsx';
import { viewerOf, type PageEnv, type Database } from './session.ts';

export const jobStateLabels = { queued: 'En attente', running: 'En cours', succeeded: 'Terminé', failed: 'Échoué' } as const;

type JobShown = { state: keyof typeof jobStateLabels; processed: number; total: number | null; failureReason: string | null };

/** A job's state, its progress bar (which job.js updates while it runs) and why it failed, if it did. */
export const JobProgress: FC<{ job: JobShown; label: string }> = ({ job, label }) => (
  <>
    <p>
      <span class="status" data-testid="job-state" data-state={job.state} role="status">
        {jobStateLabels[job.state]}
      </span>
    </p>
    <label for="avancement">{label}</label>
    <progress id="avancement" class="progress" max={job.total ?? undefined} value={job.processed}>
      {job.processed} / {job.total ?? '?'}
    </progress>
    <p>
      {job.processed} / {job.total ?? '?'}
    </p>
    {job.failureReason ? <p class="notice bad">{job.failureReason}</p> : null}
  </>
);

type EarlierImport = { jobId: string; filename: string; importedAt: string };

/** An inventory sent again to the same donation: nothing was added, and the first import is one click away. */
function AlreadyImported({ earlier }: { earlier: EarlierImport }) {
  return (
    <p class="notice" data-testid="already-imported">
      Cet inventaire a déjà été importé dans ce don le {dateTime(new Date(earlier.importedAt))} (« {earlier.filename} ») : rien n’a été ajouté.{' '}
      <a href={`/jobs/${earlier.jobId}`}>Voir cet import</a>
    </p>
  );
}

/**
 * A job someone started (an inventory import, a label sheet), as they follow it: its progress bar
 * (moved by job.js while it runs), its refused lines and, once done, its files to download.
 */
export function jobPageRoutes(database: Database) {
  const { db } = database;
  return new Hono<PageEnv>().get('/jobs/:id', async (c) => {
    const viewer = viewerOf(c);
    const job = await found(c.req.param('id'), 'Ce travail', (id) => getJob(db, viewer, id));
    const running = job.state === 'queued' || job.state === 'running';
    return c.html(
      <Layout title="Suivi du travail" viewer={viewer} scripts={running ? ['/assets/job.js'] : []}>
        <h1 data-job-id={running ? job.id : undefined}>
          {job.kind === 'intake_import' ? 'Import de l’inventaire' : job.kind === 'label_batch' ? 'Planche d’étiquettes' : 'Travail en cours'}
        </h1>
        <JobProgress job={job} label="Avancement" />
        {job.summary.alreadyImportedBy ? <AlreadyImported earlier={job.summary.alreadyImportedBy as EarlierImport} /> : null}
        {job.errors.length > 0 ? (
          <table>
            <caption>Lignes refusées</caption>
            <thead>
              <tr>
                <th scope="col">Ligne</th>
                <th scope="col">Raison</th>
              </tr>
            </thead>
            <tbody>
              {job.errors.map((error) => (
                <tr>
                  <td>{error.line}</td>
                  <td>{error.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {job.files.length > 0 ? (
          <ul>
            {job.files.map((file) => (
              <li>
                <a href={file.downloadUrl} download>
                  Télécharger {file.filename}
                </a>
              </li>
            ))}
          </ul>
        ) : null}
      </Layout>,
    );
  });
}
