// The watch cache after its storage watch ends (another API server's compactor removed the
// revision it was at, or storage went away for a while): it reads storage again, hands its
// watchers the changes it missed as events, and follows storage from there. Real SQLite; only the
// end of the watch is staged, by ending it from a wrapper at the boundary.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { openBackend } from '../../src/storage/registry.js';
import { CompactedError, type Backend, type WatchOptions } from '../../src/storage/backend.js';
import { WatchCache } from '../../src/apiserver/store/watch-cache.js';
import type { CacheEvent } from '../../src/apiserver/store/cached-object.js';

test('a cache whose storage watch ended catches up by reading storage again, and watches on', async () => {
  const real = openBackend('sqlite://:memory:', { dataDir: tmpdir() });
  await real.start();
  const watches: WatchOptions[] = [];
  // The real backend, except that the test can end its watches as a compaction would.
  const backend: Backend = Object.assign(Object.create(real) as Backend, {
    watch(prefix: string, opts: WatchOptions) {
      watches.push(opts);
      return real.watch(prefix, { ...opts, onEvents: (evs) => watches.at(-1) === opts && opts.onEvents(evs) });
    },
  });
  const obj = (name: string, v: string) => JSON.stringify({ metadata: { name }, data: { v } });
  const key = (name: string) => `/registry/core/configmaps/default/${name}`;
  await real.create(key('kept'), obj('kept', '1'));
  const changed = await real.create(key('changed'), obj('changed', '1'));
  await real.create(key('gone'), obj('gone', '1'));
  const cache = new WatchCache(backend, '/registry/', ['/registry/core/configmaps/']);
  await cache.start();
  const seen: CacheEvent[] = [];
  cache.get('/registry/core/configmaps/').subscribe((evs) => seen.push(...evs));

  // What happens while the watch is gone is missed by it...
  const ended = watches[0]!;
  watches.push({ onEvents: () => undefined });
  await real.update(key('changed'), obj('changed', '2'), changed.modRevision);
  await real.delete(key('gone'));
  await real.create(key('new'), obj('new', '1'));
  ended.onError!(new CompactedError(1, 5));

  // ...and arrives as events once the cache has read storage again.
  await cache.sync();
  const objects = cache.get('/registry/core/configmaps/').objects;
  assert.deepEqual([...objects.keys()].sort(), [key('changed'), key('kept'), key('new')]);
  assert.equal((objects.get(key('changed'))!.obj as any).data.v, '2');
  assert.deepEqual(seen.map((e) => `${e.type} ${e.object.obj.metadata.name}`).sort(), ['ADDED new', 'DELETED gone', 'MODIFIED changed']);

  // The new watch follows storage.
  assert.equal(watches.length, 3, 'watching again');
  seen.length = 0;
  await real.create(key('after'), obj('after', '1'));
  await cache.sync();
  assert.deepEqual(seen.map((e) => `${e.type} ${e.object.obj.metadata.name}`), ['ADDED after']);
  cache.stop();
  await real.close();
});

test('a write outside the registry keyspace (another server\'s data in the same store) does not hold up consistent reads', async () => {
  const backend = openBackend('sqlite://:memory:', { dataDir: tmpdir() });
  await backend.start();
  const cache = new WatchCache(backend, '/registry/', ['/registry/core/configmaps/']);
  await cache.start();
  await backend.create('/kubesvc/elsewhere', 'x');
  const started = Date.now();
  await cache.sync();
  assert.ok(Date.now() - started < 1000, `sync took ${Date.now() - started} ms`);
  cache.stop();
  await backend.close();
});
