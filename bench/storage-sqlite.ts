// SQLite backend throughput (group commit with synchronous=FULL, so every acknowledged create
// is on disk). Not part of `npm test`: run `npx tsc -p . && node dist/bench/storage-sqlite.js`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend } from '../src/storage/registry.js';
import { benchStorage } from './storage-common.js';

const dir = mkdtempSync(join(tmpdir(), 'kubesvc-bench-'));
const db = openBackend('sqlite', { dataDir: dir });
try {
  await db.start();
  await benchStorage(db);
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
