// Compaction, as kine does it: below the compaction revision keep only the latest row of each key
// and drop deletions altogether, so reads at or above that revision still see exactly what they
// saw before. The new compacted revision is persisted first, which makes older reads fail at
// once; the rows are then removed in bounded transactions, yielding to the event loop between
// them so that writes and reads are not stalled by one long delete.
import type { Database } from 'better-sqlite3';
import type { Statements } from './statements.js';

export const COMPACT_REV_KEY = 'compact_rev';
// How far removal has got; it trails compact_rev when the process stopped mid-way, and the next
// compaction resumes from there so no history is left behind for good.
export const SWEPT_REV_KEY = 'compact_swept';
const CHUNK = 5000;

export function readCompactedRevision(sql: Statements): number {
  return sql.getMeta.get(COMPACT_REV_KEY)?.value ?? 0;
}

/** Persist the new compaction point; call before removeHistory. */
export function markCompacted(sql: Statements, revision: number): void {
  sql.setMeta.run(COMPACT_REV_KEY, revision);
}

/** Remove superseded rows and tombstones up to `to`, from where the last sweep stopped;
 * `alive()` false stops early (the backend is closing). */
export async function removeHistory(db: Database, sql: Statements, to: number, alive: () => boolean): Promise<void> {
  const step = db.transaction((lo: number, hi: number) => {
    sql.compactSuperseded.run(lo, hi);
    sql.compactTombstones.run(lo, hi);
    sql.setMeta.run(SWEPT_REV_KEY, hi);
  });
  const from = sql.getMeta.get(SWEPT_REV_KEY)?.value ?? 0;
  for (let lo = from; lo < to; lo += CHUNK) {
    if (!alive()) return;
    step.immediate(lo, Math.min(lo + CHUNK, to));
    await new Promise((resolve) => setImmediate(resolve));
  }
}
