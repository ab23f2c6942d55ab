// What an operator sees in state.db itself: a WAL-mode file, and history that compaction really
// removes (a long-running cluster must not grow its file forever).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend } from '../../src/storage/registry.js';

const root = mkdtempSync(join(tmpdir(), 'kubesvc-sqlite-file-'));
after(() => rmSync(root, { recursive: true, force: true }));

const logRows = (file: string): number => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM log').get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('sqlite state.db', () => {
  it('is a WAL database', async () => {
    const dataDir = join(root, 'wal');
    const backend = openBackend('sqlite', { dataDir });
    await backend.start();
    await backend.create('/registry/a', 'x');
    await backend.close();
    const db = new Database(join(dataDir, 'state.db'), { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  });

  it('compaction leaves one row per live key and drops deleted keys', async () => {
    const dataDir = join(root, 'compact');
    const file = join(dataDir, 'state.db');
    const backend = openBackend('sqlite', { dataDir });
    await backend.start();
    for (let k = 0; k < 10; k++) {
      let kv = await backend.create(`/registry/k${k}`, 'v0');
      for (let i = 1; i < 10; i++) kv = await backend.update(kv.key, `v${i}`, kv.modRevision);
    }
    for (let k = 0; k < 3; k++) await backend.delete(`/registry/k${k}`);
    assert.equal(logRows(file), 103);
    await backend.compact(await backend.currentRevision());
    assert.equal(logRows(file), 7);
    const res = await backend.range('/registry/');
    assert.deepEqual(res.kvs.map((kv) => kv.value), Array(7).fill('v9'));
    await backend.close();
  });
});
