// The store remembers the text it wrote for each written object (creates, updates, a delete that
// only marks the object), so the handler answers with it instead of serializing the object again:
// that text must be there after each kind of write, and say exactly what the object says.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { configmaps } from '../../../src/apiserver/registry/core/configmaps.js';
import { keyPrefix } from '../../../src/apiserver/resources.js';
import { storedText } from '../../../src/apiserver/store/cached-object.js';
import { newContext } from '../../../src/apiserver/store/context.js';
import { Store } from '../../../src/apiserver/store/store.js';
import { WatchCache } from '../../../src/apiserver/store/watch-cache.js';
import { openBackend } from '../../../src/storage/registry.js';
import type { KubeObject } from '../../../src/api/meta.js';

const backend = openBackend('sqlite://:memory:', { dataDir: tmpdir() });
const cache = new WatchCache(backend, '/registry/');
after(async () => {
  cache.stop();
  await backend.close();
});

const written = (o: KubeObject) => {
  const text = storedText(o);
  assert.ok(text !== undefined, 'the written text is kept for the answer');
  assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(o)));
  return text;
};

test('creates, updates, patches and a marking delete leave the text they stored for the answer', async () => {
  await backend.start();
  cache.add(keyPrefix(configmaps.info));
  await cache.start();
  const store = new Store(configmaps.info, configmaps.strategy, backend, cache, {});
  const ctx = () => newContext({ namespace: 'default', fieldManager: 'test' });
  const created = await store.create(ctx(), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default', finalizers: ['example.com/hold'] }, data: { a: '1' } } as KubeObject);
  written(created);
  const { object: updated } = await store.guaranteedUpdate(ctx(), 'default', 'c', undefined, (cur) => ({ ...cur!, data: { a: '2' } }) as KubeObject);
  const text = written(updated);
  assert.match(text, new RegExp(`"resourceVersion":"${updated.metadata.resourceVersion}"`));
  assert.equal(JSON.parse(text).data.a, '2');
  const { object: marked, deleted } = await store.delete(ctx(), 'default', 'c', {});
  assert.equal(deleted, false);
  assert.ok(JSON.parse(written(marked)).metadata.deletionTimestamp);
  // A dry run stored nothing: nothing is remembered, and the object is serialized as it is.
  const { object: dry } = await store.guaranteedUpdate(newContext({ namespace: 'default', dryRun: true }), 'default', 'c', undefined, (cur) => ({ ...cur!, data: { a: '3' } }) as KubeObject);
  assert.equal(storedText(dry), undefined);
});
