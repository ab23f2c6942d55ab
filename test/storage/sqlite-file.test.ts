// SQLite specifics beyond the shared suite: what an operator sees in state.db (a WAL file whose
// history compaction really removes, so a long-running cluster does not grow it forever) and
// how writes made together are committed and announced together.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend } from '../../src/storage/registry.js';
import type { WatchEvent } from '../../src/storage/backend.js';

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
  it('a new store is a WAL database at revision 0', async () => {
    const dataDir = join(root, 'wal');
    const backend = openBackend('sqlite', { dataDir });
    await backend.start();
    assert.equal(await backend.currentRevision(), 0);
    assert.equal((await backend.create('/registry/a', 'x')).modRevision, 1);
    await backend.close();
    const db = new Database(join(dataDir, 'state.db'), { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
  });

  it('compaction leaves one row per live key and drops deleted keys', async () => {
    const dataDir = join(root, 'compact');
    const file = join(dataDir, 'state.db');
    let backend = openBackend('sqlite', { dataDir });
    await backend.start();
    for (let k = 0; k < 10; k++) {
      let kv = await backend.create(`/registry/k${k}`, 'v0');
      for (let i = 1; i < 10; i++) kv = await backend.update(kv.key, `v${i}`, kv.modRevision);
    }
    for (let k = 0; k < 3; k++) await backend.delete(`/registry/k${k}`);
    await backend.close();
    assert.equal(logRows(file), 103);
    backend = openBackend('sqlite', { dataDir });
    await backend.start();
    await backend.compact(await backend.currentRevision());
    const res = await backend.range('/registry/');
    assert.deepEqual(res.kvs.map((kv) => kv.value), Array(7).fill('v9'));
    await backend.close();
    assert.equal(logRows(file), 7);
  });

  it('a second backend on a state.db in use refuses to start, naming the file', async () => {
    const dataDir = join(root, 'locked');
    const first = openBackend('sqlite', { dataDir });
    await first.start();
    await first.create('/registry/a', 'x');
    const second = openBackend('sqlite', { dataDir });
    await assert.rejects(second.start(), /state\.db is in use by another process/);
    await first.close();
    await second.start();
    assert.equal((await second.get('/registry/a')).kv?.value, 'x');
    await second.close();
  });

  it('writes issued together are committed as one group and reach a watch as one batch', async () => {
    const backend = openBackend('sqlite://:memory:', { dataDir: root });
    await backend.start();
    const batches: WatchEvent[][] = [];
    backend.watch('/registry/', { onEvents: (events) => batches.push(events) });
    const written = await Promise.all(Array.from({ length: 50 }, (_, i) => backend.create(`/registry/k${i}`, 'x')));
    assert.deepEqual(
      written.map((kv) => kv.modRevision),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.equal(batches.length, 1);
    assert.equal(batches[0]!.length, 50);
    await backend.close();
  });
});
