// The informer indexes the endpoint controllers share: pods by label pair, Services by selector
// pair, slices by Service; and adding them twice (two controllers, one shared informer) is fine.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/meta.js';
import type { Pod, Service } from '../../../src/api/core.js';
import type { EndpointSlice } from '../../../src/api/discovery.js';
import type { Informer } from '../../../src/client/informer-types.js';
import { Indexer } from '../../../src/client/indexer.js';
import { R } from '../../../src/client/resources.js';
import {
  ensurePodLabelsIndex,
  ensureServiceSelectorIndex,
  ensureSliceServiceIndex,
  podsForService,
  servicesForPodLabels,
  slicesForService,
} from '../../../src/controllers/endpointslice/util/label-index.js';
import { pod, svc } from './fixtures.js';

function fakeInformer<T extends KubeObject>(objs: T[]): Informer<T> {
  const idx = new Indexer<T>();
  for (const o of objs) idx.set(o);
  return {
    resource: R.pods,
    lister: idx,
    addEventHandler() {},
    addIndex: (name, fn) => idx.addIndex(name, fn),
    hasSynced: () => true,
    synced: () => Promise.resolve(),
  };
}

describe('label indexes', () => {
  const other = (p: Pod): Pod => ({ ...p, metadata: { ...p.metadata, namespace: 'other' } });
  const pods = fakeInformer<Pod>([
    pod('a', 'web', { ip: '1.1.1.1', labels: { app: 'web', tier: 'front' } }),
    pod('b', 'web', { ip: '1.1.1.2', labels: { app: 'web', tier: 'back' } }),
    pod('c', 'db', { ip: '1.1.1.3' }),
    other(pod('d', 'web', { ip: '1.1.1.4' })),
  ]);
  const services = fakeInformer<Service>([
    svc('web', { selector: { app: 'web' } }),
    svc('front', { selector: { app: 'web', tier: 'front' } }),
    svc('db', { selector: { app: 'db' } }),
    { ...svc('manual'), spec: { ports: [] } },
  ]);

  it('may be added by each controller sharing the informer', () => {
    ensurePodLabelsIndex(pods);
    ensurePodLabelsIndex(pods);
    ensureServiceSelectorIndex(services);
    ensureServiceSelectorIndex(services);
  });

  it('pods of a Service: its namespace, all selector pairs', () => {
    const names = (s: Service) => podsForService(pods, s).map((p) => p.metadata.name).sort();
    assert.deepEqual(names(svc('web', { selector: { app: 'web' } })), ['a', 'b']);
    assert.deepEqual(names(svc('front', { selector: { app: 'web', tier: 'front' } })), ['a']);
    assert.deepEqual(names(svc('none', { selector: { app: 'nothing' } })), []);
    assert.deepEqual(names({ ...svc('manual'), spec: { ports: [] } }), []);
  });

  it('Services of a pod', () => {
    assert.deepEqual([...servicesForPodLabels(services, 'default', { app: 'web', tier: 'front' })].sort(), ['default/front', 'default/web']);
    assert.deepEqual([...servicesForPodLabels(services, 'default', { app: 'web' })], ['default/web']);
    assert.deepEqual([...servicesForPodLabels(services, 'other', { app: 'web' })], []);
  });

  it('slices of a Service, by manager', () => {
    const slice = (name: string, svcName: string, managedBy: string, deleting = false): EndpointSlice => ({
      metadata: {
        name,
        namespace: 'default',
        labels: { 'kubernetes.io/service-name': svcName, 'endpointslice.kubernetes.io/managed-by': managedBy },
        ...(deleting ? { deletionTimestamp: '2026-11-27T10:00:00Z' } : {}),
      },
      addressType: 'IPv4',
      endpoints: [],
    });
    const slices = fakeInformer<EndpointSlice>([slice('w1', 'web', 'me'), slice('w2', 'web', 'someone'), slice('w3', 'web', 'me', true), slice('d1', 'db', 'me')]);
    ensureSliceServiceIndex(slices);
    ensureSliceServiceIndex(slices);
    assert.deepEqual(slicesForService(slices, 'default', 'web', 'me').map((s) => s.metadata.name), ['w1']);
  });
});
