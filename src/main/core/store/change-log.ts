import type { Database, Db, WriteTx } from './database';
import type { RecordRef } from './workspace-rows';

/**
 * The change log: one row per changed record per commit, numbered by a revision the database
 * gives (writers are serialized, so revisions commit in order). A process knows the revision its
 * snapshot is at and catches up by reading the records named past it.
 */

const refKey = (r: RecordRef) => `${r.collection}\u0000${r.id}`;

/** The records changed after `rev` (each once), and the newest revision among them. */
export async function changesSince(
  db: Db | WriteTx,
  rev: number,
): Promise<{ refs: RecordRef[]; last: number }> {
  const rows = await db
    .selectFrom('changes')
    .select(['rev', 'collection', 'record_id'])
    .where('rev', '>', rev)
    .orderBy('rev')
    .execute();
  const refs = new Map<string, RecordRef>();
  for (const row of rows) {
    const ref = { collection: row.collection, id: row.record_id } as RecordRef;
    refs.set(refKey(ref), ref);
  }
  return { refs: [...refs.values()], last: Number(rows.at(-1)?.rev ?? rev) };
}

/** The oldest and newest revision still in the log (0 when it is empty). */
export async function changeHead(db: Db | WriteTx): Promise<{ first: number; last: number }> {
  // Two scalar subqueries, not min and max in one: SQLite answers a lone min() or max() of the
  // key from the index's ends, but scans the whole log for both at once (the store polls this).
  const head = await db
    .selectNoFrom((eb) => [
      eb
        .selectFrom('changes')
        .select((c) => c.fn.min('rev').as('v'))
        .as('first'),
      eb
        .selectFrom('changes')
        .select((c) => c.fn.max('rev').as('v'))
        .as('last'),
    ])
    .executeTakeFirst();
  return { first: Number(head?.first ?? 0), last: Number(head?.last ?? 0) };
}

/** The first of `refs` that `mine` also changed: two writers on one record. */
export function clash(refs: readonly RecordRef[], mine: readonly RecordRef[]): RecordRef | undefined {
  const written = new Set(mine.map(refKey));
  return refs.find((r) => written.has(refKey(r)));
}

/** Drops rows older than the newest `keep`; a process further behind reads everything again. */
export async function pruneChanges(database: Database, keep: number): Promise<number> {
  return database.write(async (tx) => {
    const cutoff = (await changeHead(tx)).last - keep;
    if (cutoff <= 0) return 0;
    const result = await tx.deleteFrom('changes').where('rev', '<=', cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  });
}
