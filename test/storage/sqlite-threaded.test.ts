// What the SQLite datastore on its own thread owes beyond the shared suite (sqlite.test.ts runs
// that on it): the order of a commit's events and answers, one group commit for writes sent
// together, a process that can still exit, and a dead thread that fails calls instead of hanging.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend } from '../../src/storage/registry.js';
import { ThreadedSqliteBackend } from '../../src/storage/sqlite/threaded.js';
import { KeyExistsError, RevisionMismatchError, type WatchEvent } from '../../src/storage/backend.js';

const root = mkdtempSync(join(tmpdir(), 'kubesvc-sqlite-thread-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = async (): Promise<ThreadedSqliteBackend> => {
  const backend = openBackend('sqlite', { dataDir: join(root, `s${n++}`) });
  assert.ok(backend instanceof ThreadedSqliteBackend, 'a state.db file gets its own thread');
  await backend.start();
  return backend;
};

describe('sqlite on its own thread', () => {
  it('a commit reaches its watches before the writes in it are answered, as in-process', async () => {
    const backend = await fresh();
    const seen: string[] = [];
    backend.watch('/registry/', { onEvents: (events) => seen.push(...events.map((e) => `event ${e.kv.key}`)) });
    await backend.currentRevision(); // the watch is in place
    await Promise.all(
      ['a', 'b'].map((k) => backend.create(`/registry/${k}`, k).then((kv) => seen.push(`answer ${kv.key} ${kv.value} ${kv.modRevision}`))),
    );
    assert.deepEqual(seen, ['event /registry/a', 'event /registry/b', 'answer /registry/a a 1', 'answer /registry/b b 2']);
    await backend.close();
  });

  it('writes sent together are one group commit and one watch batch; errors keep their class and fields', async () => {
    const backend = await fresh();
    const batches: WatchEvent[][] = [];
    backend.watch('/registry/', { onEvents: (events) => batches.push(events) });
    await backend.currentRevision();
    const written = await Promise.all(Array.from({ length: 50 }, (_, i) => backend.create(`/registry/k${i}`, `v${i}`)));
    assert.deepEqual(
      written.map((kv) => [kv.key, kv.value, kv.createRevision, kv.modRevision]),
      Array.from({ length: 50 }, (_, i) => [`/registry/k${i}`, `v${i}`, i + 1, i + 1]),
    );
    assert.deepEqual(batches.map((b) => b.length), [50]);
    await assert.rejects(backend.create('/registry/k0', 'again'), (err: unknown) => err instanceof KeyExistsError && err.key === '/registry/k0');
    await assert.rejects(backend.update('/registry/k1', 'new', 1), (err: unknown) => {
      assert.ok(err instanceof RevisionMismatchError);
      assert.deepEqual(err.current, { key: '/registry/k1', value: 'v1', createRevision: 2, modRevision: 2 });
      return true;
    });
    await backend.close();
  });

  it('a started backend nobody closes does not keep the process alive', () => {
    const script = `
      import { openBackend } from ${JSON.stringify(new URL('../../src/storage/registry.js', import.meta.url).href)};
      const b = openBackend('sqlite', { dataDir: ${JSON.stringify(join(root, 'open'))} });
      await b.start();
      b.watch('/registry/', { onEvents() {} });
      const kv = await b.create('/registry/x', 'y');
      console.log('created at', kv.modRevision);
    `;
    const file = join(root, 'open.mjs');
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 15_000 });
    assert.equal(r.error, undefined, 'the process exited by itself');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /created at 1/);
  });

  it('a thread that dies fails the calls waiting on it, ends its watches, and refuses later calls', async () => {
    const backend = await fresh();
    let ended: Error | undefined;
    backend.watch('/registry/', { onEvents() {}, onError: (err) => (ended = err) });
    await backend.create('/registry/a', 'x');
    // Ending the thread from outside stands in for a crash inside it.
    const worker = (backend as unknown as { worker: { terminate(): Promise<number> } }).worker;
    const waiting = backend.create('/registry/b', 'y');
    await worker.terminate();
    await assert.rejects(waiting, /the SQLite thread exited/);
    assert.match(String(ended), /the SQLite thread exited/);
    await assert.rejects(backend.get('/registry/a'), /the SQLite thread exited/);
    await backend.close();
  });
});
