// The shared backend suite on SQLite: each store is a state.db in its own temporary directory,
// all removed when the run ends.
import { after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend } from '../../src/storage/registry.js';
import { runBackendSuite } from './backend-suite.js';

const root = mkdtempSync(join(tmpdir(), 'kubesvc-sqlite-'));
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
runBackendSuite('sqlite', async () => {
  const dataDir = join(root, `store-${n++}`);
  return {
    backend: openBackend('sqlite', { dataDir }),
    reopen: async () => openBackend(`sqlite://${join(dataDir, 'state.db')}`, { dataDir: '/nonexistent' }),
  };
});
