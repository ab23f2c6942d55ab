// Informers over a real API server, through each Client: initial sync, handlers with old and
// new objects, indexes, late handlers, resync, and a relist after the watch's window expired
// (a genuine 410 from the server) that is diffed into adds, updates and deletes.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/meta.js';
import type { Client } from '../../src/client/client.js';
import type { EventHandlers } from '../../src/client/informer-types.js';
import { InformerFactoryImpl, metaNamespaceKey, splitKey } from '../../src/client/informer.js';
import { R } from '../../src/client/resources.js';
import { endpoints, namespace, type ClientFixture, type Setup } from './fixtures.js';
import { eventually, sleep } from './cluster.js';
import { PausableClient } from './pausable-client.js';

/** A handler that writes what it saw as "add x", "update x v1->v2", "delete x". */
function recorder(log: string[], label = 'v'): EventHandlers {
  const v = (o: KubeObject) => o.metadata.labels?.[label] ?? '';
  return {
    onAdd: (o) => log.push(`add ${o.metadata.name} ${v(o)}`),
    onUpdate: (a, b) => log.push(`update ${b.metadata.name} ${v(a)}->${v(b)}`),
    onDelete: (o) => log.push(`delete ${o.metadata.name} ${v(o)}`),
  };
}

export function runInformerSuite(name: string, setup: Setup): void {
  describe(`informers: ${name}`, () => {
    let f: ClientFixture;
    let c: Client;
    const factories: InformerFactoryImpl[] = [];
    const factory = (client: Client = c) => {
      const fac = new InformerFactoryImpl(client);
      factories.push(fac);
      return fac;
    };
    const ns = async (n: string) => {
      await c.create(R.namespaces, undefined, namespace(n));
      return n;
    };

    before(async () => {
      f = await setup();
      c = f.client;
    });
    after(async () => {
      for (const fac of factories) fac.stop();
      await f.close();
    });

    it('metaNamespaceKey and splitKey', () => {
      assert.equal(metaNamespaceKey({ metadata: { name: 'a', namespace: 'n' } }), 'n/a');
      assert.equal(metaNamespaceKey({ metadata: { name: 'node-1' } }), 'node-1');
      assert.deepEqual(splitKey('n/a'), { namespace: 'n', name: 'a' });
      assert.deepEqual(splitKey('node-1'), { namespace: undefined, name: 'node-1' });
      assert.throws(() => splitKey('a/b/c'));
    });

    it('syncs the existing objects and shares one informer per resource and options', async () => {
      const n = await ns('inf-sync');
      await c.create(R.endpoints, n, endpoints('a', n, { v: '1' }));
      await c.create(R.endpoints, n, endpoints('b', n, { v: '1' }));
      const fac = factory();
      const inf = fac.informer(R.endpoints, { namespace: n });
      assert.equal(fac.informer(R.endpoints, { namespace: n }), inf);
      assert.notEqual(fac.informer(R.endpoints, { namespace: n, labelSelector: 'v=1' }), inf);
      const log: string[] = [];
      inf.addEventHandler(recorder(log));
      assert.equal(inf.hasSynced(), false);
      fac.start();
      await fac.waitForSync();
      assert.equal(inf.hasSynced(), true);
      assert.deepEqual(log.sort(), ['add a 1', 'add b 1']);
      assert.equal(inf.lister.get(n, 'a')?.metadata.name, 'a');
      assert.equal(inf.lister.get(n, 'a')?.kind, 'Endpoints');
      assert.equal(inf.lister.list(n).length, 2);
      assert.equal(inf.lister.list('other').length, 0);
    });

    it('calls handlers with old and new objects as the cluster changes', async () => {
      const n = await ns('inf-handlers');
      const fac = factory();
      const inf = fac.informer(R.endpoints, { namespace: n });
      const log: string[] = [];
      const olds: KubeObject[] = [];
      inf.addEventHandler(recorder(log));
      inf.addEventHandler({ onUpdate: (a, b) => olds.push(a, b) });
      fac.start();
      await fac.waitForSync();
      await c.create(R.endpoints, n, endpoints('x', n, { v: '1' }));
      await c.patch(R.endpoints, n, 'x', 'merge', { metadata: { labels: { v: '2' } } });
      await c.delete(R.endpoints, n, 'x');
      await eventually(() => assert.deepEqual(log, ['add x 1', 'update x 1->2', 'delete x 2']));
      assert.ok(Number(olds[0]!.metadata.resourceVersion) < Number(olds[1]!.metadata.resourceVersion));
      assert.equal(inf.lister.get(n, 'x'), undefined);
    });

    it('keeps indexes up to date', async () => {
      const n = await ns('inf-index');
      const fac = factory();
      const inf = fac.informer(R.endpoints, { namespace: n });
      await c.create(R.endpoints, n, endpoints('red-1', n, { color: 'red' }));
      inf.addIndex('color', (o) => (o.metadata.labels?.color ? [o.metadata.labels.color] : []));
      fac.start();
      await inf.synced();
      assert.deepEqual(inf.lister.byIndex('color', 'red').map((o) => o.metadata.name), ['red-1']);
      // An index added after the sync files what is cached already.
      inf.addIndex('first-letter', (o) => [o.metadata.name![0]!]);
      assert.deepEqual(inf.lister.byIndex('first-letter', 'r').map((o) => o.metadata.name), ['red-1']);
      await c.create(R.endpoints, n, endpoints('blue-1', n, { color: 'blue' }));
      await c.patch(R.endpoints, n, 'red-1', 'merge', { metadata: { labels: { color: 'blue' } } });
      await eventually(() => assert.equal(inf.lister.byIndex('color', 'blue').length, 2));
      assert.deepEqual(inf.lister.byIndex('color', 'red'), []);
      await c.delete(R.endpoints, n, 'blue-1');
      await eventually(() => assert.deepEqual(inf.lister.byIndex('color', 'blue').map((o) => o.metadata.name), ['red-1']));
      assert.deepEqual(inf.lister.list(n, (l) => l.color === 'blue').map((o) => o.metadata.name), ['red-1']);
      assert.throws(() => inf.lister.byIndex('nope', 'x'));
    });

    it('gives late handlers a synthetic add per cached object', async () => {
      const n = await ns('inf-late');
      await c.create(R.endpoints, n, endpoints('p', n, { v: '1' }));
      await c.create(R.endpoints, n, endpoints('q', n, { v: '1' }));
      const fac = factory();
      const inf = fac.informer(R.endpoints, { namespace: n });
      fac.start();
      await fac.waitForSync();
      const log: string[] = [];
      inf.addEventHandler(recorder(log));
      assert.deepEqual(log.sort(), ['add p 1', 'add q 1']);
      await c.patch(R.endpoints, n, 'p', 'merge', { metadata: { labels: { v: '2' } } });
      await eventually(() => assert.equal(log.at(-1), 'update p 1->2'));
    });

    it('informers asked for after start() start on their own; cluster-scoped resources work', async () => {
      const fac = factory();
      fac.start();
      const inf = fac.informer(R.namespaces);
      await fac.waitForSync();
      assert.ok(inf.lister.get(undefined, 'default'));
      assert.equal(inf.lister.list().some((o) => o.metadata.name === 'kube-system'), true);
    });

    it('resyncs: every cached object again as an update', async () => {
      const n = await ns('inf-resync');
      await c.create(R.endpoints, n, endpoints('r', n, { v: '1' }));
      const fac = factory();
      const inf = fac.informer(R.endpoints, { namespace: n, resyncMs: 50 });
      const updates: [KubeObject, KubeObject][] = [];
      inf.addEventHandler({ onUpdate: (a, b) => updates.push([a, b]) });
      fac.start();
      await inf.synced();
      await eventually(() => assert.ok(updates.length >= 2));
      assert.equal(updates[0]![0], updates[0]![1]);
    });

    it('relists after a 410 and diffs the new list into adds, updates and deletes', async () => {
      const n = await ns('inf-relist');
      await c.create(R.endpoints, n, endpoints('keep', n, { v: '1' }));
      await c.create(R.endpoints, n, endpoints('change', n, { v: '1' }));
      await c.create(R.endpoints, n, endpoints('remove', n, { v: '1' }));
      const pc = new PausableClient(c);
      const fac = factory(pc);
      const inf = fac.informer(R.endpoints, { namespace: n });
      const log: string[] = [];
      inf.addEventHandler(recorder(log));
      fac.start();
      await fac.waitForSync();
      await eventually(() => assert.equal(pc.watchedFrom.length, 1));
      const keepRV = inf.lister.get(n, 'keep')!.metadata.resourceVersion;
      log.length = 0;

      // Cut the watch; while the informer cannot see, the cluster changes and the server's
      // watch window moves past the informer's resourceVersion.
      pc.pause();
      await c.create(R.endpoints, n, endpoints('new', n, { v: '1' }));
      await c.patch(R.endpoints, n, 'change', 'merge', { metadata: { labels: { v: '2' } } });
      await c.delete(R.endpoints, n, 'remove');
      const store = f.api.store('', 'endpoints');
      store.cache.oldestResumable = f.api.watchCache.revision;
      assert.equal(pc.lists, 1);
      pc.resume();

      await eventually(() => assert.equal(inf.lister.get(n, 'remove'), undefined), 10_000);
      assert.equal(pc.lists, 2, 'the 410 made the informer list again');
      assert.deepEqual(log.sort(), ['add new 1', 'delete remove 1', 'update change 1->2', 'update keep 1->1']);
      assert.equal(inf.lister.get(n, 'change')?.metadata.labels?.v, '2');
      assert.equal(inf.lister.get(n, 'keep')?.metadata.resourceVersion, keepRV);
      assert.deepEqual(inf.lister.list(n).map((o) => o.metadata.name).sort(), ['change', 'keep', 'new']);

      // And it watches again from the new list's resourceVersion.
      log.length = 0;
      await eventually(() => assert.ok(pc.watchedFrom.length >= 3));
      await sleep(50);
      await c.patch(R.endpoints, n, 'new', 'merge', { metadata: { labels: { v: '3' } } });
      await eventually(() => assert.deepEqual(log, ['update new 1->3']));
    });

    it('a watch that ends is resumed from the last resourceVersion, without a relist', async () => {
      const n = await ns('inf-rewatch');
      await c.create(R.endpoints, n, endpoints('one', n, { v: '1' }));
      const pc = new PausableClient(c);
      const fac = factory(pc);
      const inf = fac.informer(R.endpoints, { namespace: n });
      const log: string[] = [];
      inf.addEventHandler(recorder(log));
      fac.start();
      await fac.waitForSync();
      await eventually(() => assert.equal(pc.watchedFrom.length, 1));
      log.length = 0;
      pc.pause();
      await c.patch(R.endpoints, n, 'one', 'merge', { metadata: { labels: { v: '2' } } });
      await c.create(R.endpoints, n, endpoints('two', n, { v: '1' }));
      const rv = (inf as unknown as { lastSyncResourceVersion: string }).lastSyncResourceVersion;
      pc.resume();
      await eventually(() => assert.deepEqual(log, ['update one 1->2', 'add two 1']), 10_000);
      assert.equal(pc.lists, 1, 'no relist');
      assert.equal(pc.watchedFrom.at(-1), rv, 'resumed from the last resourceVersion seen');
    });

    it('stop() ends the watches: no events afterwards', async () => {
      const n = await ns('inf-stop');
      const fac = factory();
      const inf = fac.informer(R.endpoints, { namespace: n });
      const log: string[] = [];
      inf.addEventHandler(recorder(log));
      fac.start();
      await fac.waitForSync();
      fac.stop();
      await c.create(R.endpoints, n, endpoints('after', n, { v: '1' }));
      await sleep(200);
      assert.deepEqual(log, []);
    });
  });
}
