// The on-disk layout. Like kine, history is one append-only log whose autoincrement id is the
// revision: every create, update and delete appends a row, so a revision names exactly one write
// and replaying a watch is a scan of the log by id. Two small tables sit beside it:
//  - `current` maps each live key to its latest log row, so "latest value of every key under a
//    prefix" is an index walk instead of a max(id)-per-name aggregate over all history;
//  - `meta` holds the compacted revision, which must survive restarts.
import type { Database } from 'better-sqlite3';

const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS log (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  name            TEXT    NOT NULL,
  created         INTEGER NOT NULL,
  deleted         INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision   INTEGER NOT NULL,
  value           TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS log_name_id ON log (name, id);
CREATE INDEX IF NOT EXISTS log_prev_revision ON log (prev_revision);
CREATE TABLE IF NOT EXISTS current (
  name TEXT    PRIMARY KEY,
  id   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  key   TEXT    PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

/** Apply connection settings and create the tables if the file is new. */
export function prepareDatabase(db: Database): void {
  // WAL lets readers proceed during a commit; synchronous=FULL fsyncs the WAL on every commit,
  // so a write whose promise resolved survives a crash or power loss (NORMAL would not).
  // One process owns state.db: the revision counter and watch fan-out live in this process, so
  // a second kubesvc writing the same file would hand out revisions its watchers never see.
  // EXCLUSIVE locking (set before the first access) holds the lock for the connection's life,
  // and WAL then needs no shared-memory index.
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = OFF');
  // 16 MiB of pages: reads of a big prefix come from the API server's watch cache, so a larger
  // SQLite cache mostly kept pages of churned, deleted objects resident (bench/api-churn.ts).
  db.pragma('cache_size = -16384');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`state.db has schema version ${version}; this kubesvc understands up to ${SCHEMA_VERSION}`);
  }
  db.exec(DDL);
  if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
}
