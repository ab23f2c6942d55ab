// The "sqlite" datastore scheme: `sqlite:` (the default file <dataDir>/state.db),
// `sqlite:///abs/path.db`, and `sqlite::memory:` (what registry.ts makes of `sqlite://:memory:`).
import { isAbsolute, join } from 'node:path';
import type { BackendFactory } from '../backend.js';
import { MEMORY, SqliteBackend } from './backend.js';
import { ThreadedSqliteBackend } from './threaded.js';

export { SqliteBackend } from './backend.js';
export { ThreadedSqliteBackend } from './threaded.js';

export const DEFAULT_FILE = 'state.db';

export const sqliteFactory: BackendFactory = (url, opts) => {
  // 'sqlite://state.db' would put the file name where a host goes; refuse it rather than
  // silently using the default file.
  if (url.host !== '') {
    throw new Error(`datastore ${url.href}: give an absolute path as sqlite:///path/to/state.db`);
  }
  const path = decodeURIComponent(url.pathname);
  // A store in memory is for tests and lives in the caller's thread; a file gets a thread of its
  // own, so commits and their fsyncs do not stop the API server (threaded.ts).
  if (path === MEMORY) return new SqliteBackend(MEMORY);
  if (path === '' || path === '/') return new ThreadedSqliteBackend(join(opts.dataDir, DEFAULT_FILE));
  if (!isAbsolute(path)) throw new Error(`datastore ${url.href}: the sqlite path must be absolute`);
  return new ThreadedSqliteBackend(path);
};
