// The "sqlite" datastore scheme: `sqlite:` (the default file <dataDir>/state.db),
// `sqlite:///abs/path.db`, and `sqlite::memory:` (what registry.ts makes of `sqlite://:memory:`).
import { join } from 'node:path';
import type { BackendFactory } from '../backend.js';
import { MEMORY, SqliteBackend } from './backend.js';

export { SqliteBackend } from './backend.js';

export const DEFAULT_FILE = 'state.db';

export const sqliteFactory: BackendFactory = (url, opts) => {
  const path = decodeURIComponent(url.pathname);
  if (path === MEMORY) return new SqliteBackend(MEMORY);
  if (path === '' || path === '/') return new SqliteBackend(join(opts.dataDir, DEFAULT_FILE));
  return new SqliteBackend(path);
};
