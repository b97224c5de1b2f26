import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq, sql } from 'drizzle-orm';
import { statement } from '../src/db/statement.ts';
import { outbox } from '../src/outbox/outbox.schema.ts';
import { startHarness, type Harness } from './helpers/harness.ts';

/**
 * A statement is built once, on the connection of whoever ran it first; every later run must go
 * through the connection of the handle it is given. Were it to run on the first one, a write would
 * escape its transaction: committed although the transaction rolled back, seen by others before
 * the commit, or blocked behind the very transaction it belongs to.
 */
describe('a statement built once', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.close();
  });

  const enqueue = statement('test_enqueue', (db) =>
    db
      .insert(outbox)
      .values({ queue: 'device-events', jobName: sql.placeholder('jobName'), payload: sql.placeholder('payload') })
      .returning(),
  );
  const jobNamed = statement('test_job_named', (db) =>
    db
      .select()
      .from(outbox)
      .where(eq(outbox.jobName, sql.placeholder('jobName'))),
  );
  const rowsNamed = async (jobName: string) => (await harness.database.db.select().from(outbox).where(eq(outbox.jobName, jobName))).length;

  it('runs outside a transaction, mapping its values and its rows by their columns', async () => {
    const [row] = await enqueue(harness.database.db, { jobName: 'test.outside', payload: { eventId: 7 } });
    expect(row).toMatchObject({ queue: 'device-events', jobName: 'test.outside', payload: { eventId: 7 } });
    expect(row!.createdAt).toBeInstanceOf(Date);
    expect(await jobNamed(harness.database.db, { jobName: 'test.outside' })).toHaveLength(1);
  });

  it('writes in the transaction it is given: taken back with it, unseen by others until it commits', async () => {
    // Built first inside a transaction that rolls back: later runs must not reuse that connection either.
    await expect(
      harness.database.db.transaction(async (tx) => {
        await enqueue(tx, { jobName: 'test.rolled-back', payload: {} });
        expect(await jobNamed(tx, { jobName: 'test.rolled-back' })).toHaveLength(1);
        expect(await rowsNamed('test.rolled-back')).toBe(0);
        throw new Error('take it back');
      }),
    ).rejects.toThrow('take it back');
    expect(await rowsNamed('test.rolled-back')).toBe(0);

    await harness.database.db.transaction(async (tx) => {
      await enqueue(tx, { jobName: 'test.committed', payload: {} });
      expect(await rowsNamed('test.committed')).toBe(0);
    });
    expect(await rowsNamed('test.committed')).toBe(1);
  });

  it('keeps parallel transactions apart', async () => {
    const names = Array.from({ length: 8 }, (_, index) => `test.parallel-${index}`);
    await Promise.all(
      names.map((jobName, index) =>
        harness.database.db
          .transaction(async (tx) => {
            await enqueue(tx, { jobName, payload: { index } });
            await new Promise((resolve) => setTimeout(resolve, 20));
            expect(await jobNamed(tx, { jobName })).toHaveLength(1);
            if (index % 2 === 1) throw new Error('odd ones roll back');
          })
          .catch(() => undefined),
      ),
    );
    expect(await Promise.all(names.map(rowsNamed))).toEqual([1, 0, 1, 0, 1, 0, 1, 0]);
  });
});
