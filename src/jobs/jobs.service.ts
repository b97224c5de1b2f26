import { and, eq, or, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.ts';
import type { DbOrTx } from '../db/client.ts';
import { notFound } from '../errors.ts';
import { files } from '../files/files.schema.ts';
import { ownedBy } from '../organisations/organisations.service.ts';
import { backgroundJobs, type JobLineError, type jobKinds } from './jobs.schema.ts';

export async function createJob(
  tx: DbOrTx,
  actor: Pick<Actor, 'userId'>,
  organisationId: string,
  kind: (typeof jobKinds)[number],
  details: { total?: number; summary?: Record<string, unknown> } = {},
) {
  const [job] = await tx
    .insert(backgroundJobs)
    .values({ organisationId, kind, total: details.total, summary: details.summary, createdByUserId: actor.userId })
    .returning();
  return job!;
}

/**
 * A job and the files it produced, as the person who started it follows it on screen: visible to
 * its organisation and to whoever started it (an installer provisioning a landlord's building).
 */
export async function getJob(db: DbOrTx, actor: Actor, id: string) {
  const owned = ownedBy(actor, backgroundJobs.organisationId);
  const [job] = await db
    .select()
    .from(backgroundJobs)
    .where(and(eq(backgroundJobs.id, id), owned && or(owned, eq(backgroundJobs.createdByUserId, actor.userId))));
  if (!job) throw notFound('This job');
  const produced = await db
    .select({ id: files.id, kind: files.kind, filename: files.filename, contentType: files.contentType, size: files.size, sha256: files.sha256 })
    .from(files)
    .where(eq(files.jobId, job.id))
    .orderBy(files.createdAt);
  return {
    ...job,
    files: produced.map((file) => ({ ...file, downloadUrl: `/api/files/${file.id}` })),
  };
}

/** Marks a job running; answers false when it already finished (a second delivery of the same job). */
export async function startJob(db: DbOrTx, id: string): Promise<typeof backgroundJobs.$inferSelect | undefined> {
  const [job] = await db
    .update(backgroundJobs)
    .set({ state: 'running', startedAt: sql`coalesce(${backgroundJobs.startedAt}, now())` })
    .where(and(eq(backgroundJobs.id, id), sql`${backgroundJobs.state} in ('queued', 'running')`))
    .returning();
  return job;
}

export async function recordProgress(db: DbOrTx, id: string, progress: { processed: number; total?: number; errors?: JobLineError[] }) {
  await db
    .update(backgroundJobs)
    .set({
      // Never backwards: progress reports may arrive out of order.
      processed: sql`greatest(${backgroundJobs.processed}, ${progress.processed})`,
      total: progress.total,
      errors: progress.errors ? sql`${backgroundJobs.errors} || ${JSON.stringify(progress.errors)}::jsonb` : undefined,
    })
    .where(eq(backgroundJobs.id, id));
}

export async function finishJob(
  db: DbOrTx,
  id: string,
  outcome: { state: 'succeeded'; summary?: Record<string, unknown> } | { state: 'failed'; reason: string },
) {
  await db
    .update(backgroundJobs)
    .set({
      state: outcome.state,
      finishedAt: new Date(),
      summary: outcome.state === 'succeeded' && outcome.summary ? sql`${backgroundJobs.summary} || ${JSON.stringify(outcome.summary)}::jsonb` : undefined,
      failureReason: outcome.state === 'failed' ? outcome.reason : null,
    })
    .where(eq(backgroundJobs.id, id));
}
