// The "sqlite" datastore scheme: `sqlite:` (the default file <dataDir>/state.db),
// `sqlite:///abs/path.db`, and `sqlite::memory:` (what registry.ts makes of `sqlite://:memory:`).
import { isAbsolute, join } from 'node:path';
import type { BackendFactory } from '../backend.js';
import { MEMORY, SqliteBackend } from './backend.js';

export { SqliteBackend } from './backend.js';

export const DEFAULT_FILE = 'state.db';

export const sqliteFactory: BackendFactory = (url, opts) => {
  // 'sqlite://state.db' would put the file name where a host goes; refuse it rather than
  // silently using the default file.
  if (url.host !== '') {
    throw new Error(`datastore ${url.href}: give an absolute path as sqlite:///path/to/state.db`);
  }
  const path = decodeURIComponent(url.pathname);
  if (path === MEMORY) return new SqliteBackend(MEMORY);
  if (path === '' || path === '/') return new SqliteBackend(join(opts.dataDir, DEFAULT_FILE));
  if (!isAbsolute(path)) throw new Error(`datastore ${url.href}: the sqlite path must be absolute`);
  return new SqliteBackend(path);
};
