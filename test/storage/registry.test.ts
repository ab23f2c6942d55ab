// Choosing a datastore by --datastore spec, and the periodic compactor.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend, parseSpec } from '../../src/storage/registry.js';
import { startCompactor } from '../../src/storage/compactor.js';
import { CompactedError } from '../../src/storage/backend.js';
import { LazyEtcdBackend } from '../../src/storage/etcd/lazy.js';

const root = mkdtempSync(join(tmpdir(), 'kubesvc-registry-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('openBackend', () => {
  it("'sqlite' keeps its data in <dataDir>/state.db", async () => {
    const dataDir = join(root, 'default');
    const db = openBackend('sqlite', { dataDir });
    await db.start();
    await db.create('/registry/a', 'x');
    await db.close();
    assert.ok(existsSync(join(dataDir, 'state.db')));
  });

  it("'sqlite:///abs/path.db' uses that file, wherever the data dir is", async () => {
    const file = join(root, 'elsewhere', 'my.db');
    const db = openBackend(`sqlite://${file}`, { dataDir: join(root, 'unused') });
    await db.start();
    await db.create('/registry/a', 'x');
    await db.close();
    assert.ok(existsSync(file));
    assert.ok(!existsSync(join(root, 'unused', 'state.db')));
    const again = openBackend(`sqlite://${file}`, { dataDir: root });
    await again.start();
    assert.equal((await again.get('/registry/a')).kv?.value, 'x');
    await again.close();
  });

  it("'sqlite://:memory:' touches no file and forgets everything on close", async () => {
    const dataDir = join(root, 'memory');
    const db = openBackend('sqlite://:memory:', { dataDir });
    await db.start();
    await db.create('/registry/a', 'x');
    assert.equal((await db.range('/registry/')).count, 1);
    await db.close();
    assert.ok(!existsSync(dataDir));
  });

  it("'etcd://a:1,b:2' opens an etcd backend on every listed endpoint", () => {
    const db = openBackend('etcd://127.0.0.1:2379,127.0.0.1:22379', { dataDir: root });
    assert.ok(db instanceof LazyEtcdBackend);
    assert.deepEqual(db.endpoints, ['http://127.0.0.1:2379', 'http://127.0.0.1:22379']);
  });

  it('unknown schemes and malformed specs are refused with a message naming the spec', () => {
    assert.throws(() => openBackend('postgres://db/kine', { dataDir: root }), /unknown datastore "postgres:\/\/db\/kine"/);
    assert.throws(() => openBackend('', { dataDir: root }), /invalid datastore/);
    assert.throws(() => openBackend('sqlite://state.db', { dataDir: root }), /absolute path/);
    assert.throws(() => openBackend('sqlite:relative.db', { dataDir: root }), /must be absolute/);
  });

  it('etcd endpoint lists parse into the first host plus ?endpoints=', () => {
    const url = parseSpec('etcd://10.0.0.1:2379,10.0.0.2:2379');
    assert.equal(url.protocol, 'etcd:');
    assert.equal(url.host, '10.0.0.1:2379');
    assert.equal(url.searchParams.get('endpoints'), '10.0.0.1:2379,10.0.0.2:2379');
    assert.equal(parseSpec('etcd://h:1').host, 'h:1');
  });
});

describe('startCompactor', () => {
  it('periodically compacts to keep only the newest revisions', async () => {
    const db = openBackend('sqlite://:memory:', { dataDir: root });
    await db.start();
    let kv = await db.create('/registry/k', 'v0');
    for (let i = 1; i < 20; i++) kv = await db.update('/registry/k', `v${i}`, kv.modRevision);
    const compactor = startCompactor(db, { intervalMs: 10, keepRevisions: 5 });
    try {
      const deadline = Date.now() + 5000;
      while ((await db.compactedRevision()) === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.equal(await db.compactedRevision(), 15);
      await assert.rejects(db.get('/registry/k', 14), CompactedError);
      assert.equal((await db.get('/registry/k', 15)).kv?.value, 'v14');
      assert.equal((await db.get('/registry/k')).kv?.value, 'v19');
    } finally {
      compactor.stop();
      await db.close();
    }
  });
});
