// The shared endpoint-controller helpers: which Services a pod change concerns, the trigger-time
// tracker, the slice tracker's staleness check, FindPort.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from '../../../src/api/discovery.js';
import { servicesSelecting, servicesToUpdateOnPodChange } from '../../../src/controllers/endpointslice/util/service-selection.js';
import { formatRFC3339Nano, TriggerTimeTracker } from '../../../src/controllers/endpointslice/util/trigger-time.js';
import { EndpointSliceTracker } from '../../../src/controllers/endpointslice/util/slice-tracker.js';
import { findPort } from '../../../src/controllers/endpointslice/util/pod.js';
import { pod, svc } from './fixtures.js';

describe('servicesToUpdateOnPodChange', () => {
  const services = [svc('a', { selector: { app: 'a' } }), svc('b', { selector: { app: 'b' } }), svc('ab', { selector: { tier: 'x' } }), { ...svc('none'), spec: { ports: [] } }];
  const bump = (p: ReturnType<typeof pod>) => ({ ...p, metadata: { ...p.metadata, resourceVersion: '2' } });
  const cases: { name: string; old: ReturnType<typeof pod>; cur: ReturnType<typeof pod>; want: string[] }[] = [
    { name: 'resync (same resourceVersion)', old: pod('p', 'a', { ip: '1.1.1.1' }), cur: pod('p', 'a', { ip: '1.1.1.1' }), want: [] },
    { name: 'nothing relevant changed', old: pod('p', 'a', { ip: '1.1.1.1' }), cur: bump(pod('p', 'a', { ip: '1.1.1.1' })), want: [] },
    { name: 'readiness changed', old: pod('p', 'a', { ip: '1.1.1.1' }), cur: bump(pod('p', 'a', { ip: '1.1.1.1', ready: false })), want: ['default/a'] },
    { name: 'IP assigned', old: pod('p', 'a'), cur: bump(pod('p', 'a', { ip: '1.1.1.1' })), want: ['default/a'] },
    { name: 'labels moved it from a to b', old: pod('p', 'a', { ip: '1.1.1.1' }), cur: bump(pod('p', 'b', { ip: '1.1.1.1' })), want: ['default/a', 'default/b'] },
    {
      name: 'label added: only the Service that gained it',
      old: pod('p', 'a', { ip: '1.1.1.1' }),
      cur: bump(pod('p', 'a', { ip: '1.1.1.1', labels: { app: 'a', tier: 'x' } })),
      want: ['default/ab'],
    },
    { name: 'hostname changed', old: pod('p', 'a', { ip: '1.1.1.1' }), cur: bump(pod('p', 'a', { ip: '1.1.1.1', hostname: 'h' })), want: ['default/a'] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual([...servicesToUpdateOnPodChange((l) => servicesSelecting(services, l), c.old, c.cur)].sort(), c.want));
  }
});

describe('TriggerTimeTracker', () => {
  it('first sync: the Service creation time; then only changes since the last sync, earliest first', () => {
    const t = new TriggerTimeTracker();
    const s = svc('web');
    // Each compute below stands for a sync that succeeded.
    const synced = (ms: number) => {
      t.synced('default/web');
      return ms;
    };
    const p1 = pod('a', 'web', { ip: '1.1.1.1', readySince: '2026-11-27T10:01:00Z' });
    assert.equal(formatRFC3339Nano(synced(t.compute(s, [p1]))), '2026-11-27T10:00:00Z');
    assert.equal(synced(t.compute(s, [p1])), 0, 'nothing changed: no trigger time');
    const p2 = pod('b', 'web', { ip: '1.1.1.2', readySince: '2026-11-27T10:03:00Z' });
    const p1b = pod('a', 'web', { ip: '1.1.1.1', readySince: '2026-11-27T10:02:00.5Z' });
    assert.equal(formatRFC3339Nano(synced(t.compute(s, [p1b, p2]))), '2026-11-27T10:02:00.5Z');
    t.observe('default/web', Date.parse('2026-11-27T10:04:00.25Z'));
    assert.equal(formatRFC3339Nano(synced(t.compute(s, [p1b, p2]))), '2026-11-27T10:04:00.25Z', 'an observed pod deletion counts');
    assert.equal(synced(t.compute(s, [p1b, p2])), 0, 'once');
    t.deleteService('default', 'web');
    assert.equal(formatRFC3339Nano(synced(t.compute(s, [p1b, p2]))), '2026-11-27T10:00:00Z');
  });

  it('a failed sync leaves its trigger time to the retry', () => {
    const t = new TriggerTimeTracker();
    const s = svc('web');
    const p1 = pod('a', 'web', { ip: '1.1.1.1', readySince: '2026-11-27T10:01:00Z' });
    t.compute(s, [p1]);
    t.synced('default/web');
    const p2 = pod('b', 'web', { ip: '1.1.1.2', readySince: '2026-11-27T10:03:00Z' });
    assert.equal(formatRFC3339Nano(t.compute(s, [p1, p2])), '2026-11-27T10:03:00Z', 'the sync that fails');
    assert.equal(formatRFC3339Nano(t.compute(s, [p1, p2])), '2026-11-27T10:03:00Z', 'its retry still reports the change');
    t.synced('default/web');
    assert.equal(t.compute(s, [p1, p2]), 0, 'reflected once the retry succeeded');
  });
});

describe('EndpointSliceTracker', () => {
  const slice = (uid: string, rv: string): EndpointSlice => ({
    metadata: { name: uid, namespace: 'default', uid, resourceVersion: rv, labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    endpoints: [],
  });
  const owner = { namespace: 'default', name: 'web', uid: 'svc-1' };
  it('stale when the cache shows an older version than we wrote, a slice we deleted, or misses one we wrote', () => {
    const t = new EndpointSliceTracker();
    assert.equal(t.staleSlices(owner, []), false);
    t.update(slice('s1', '10'));
    assert.equal(t.staleSlices(owner, []), true, 'our create not seen yet');
    assert.equal(t.staleSlices(owner, [slice('s1', '9')]), true, 'older version');
    assert.equal(t.staleSlices(owner, [slice('s1', '10')]), false);
    assert.equal(t.shouldSync(slice('s1', '10')), false, 'our own write needs no sync');
    assert.equal(t.shouldSync(slice('s1', '11')), true);
    t.expectDeletion(slice('s1', '10'));
    assert.equal(t.staleSlices(owner, [slice('s1', '10')]), true, 'deleted but still cached');
    assert.equal(t.handleDeletion(slice('s1', '10')), true, 'expected deletion');
    assert.equal(t.staleSlices(owner, []), false);
    t.update(slice('s2', '12'));
    assert.equal(t.staleSlices({ ...owner, uid: 'svc-2' }, []), false, 'a recreated Service forgets the old writes');
  });
  it('keeps nothing for a deleted Service once its slices are gone (their deletions come after deleteService)', () => {
    const t = new EndpointSliceTracker();
    t.update(slice('s1', '10'));
    t.update(slice('s2', '11'));
    assert.equal(t.trackedOwners, 1);
    t.deleteService('default', 'web');
    t.expectDeletion(slice('s1', '10'));
    t.expectDeletion(slice('s2', '11'));
    assert.equal(t.trackedOwners, 1, 'the deletions in flight are tracked');
    assert.equal(t.handleDeletion(slice('s1', '10')), true);
    assert.equal(t.trackedOwners, 1);
    assert.equal(t.handleDeletion(slice('s2', '11')), true);
    assert.equal(t.trackedOwners, 0, 'a churn of Services must not leave a record per Service');
  });
});

describe('findPort', () => {
  const p = pod('a', 'web', { ip: '1.1.1.1', ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] });
  const cases: [unknown, string, number | undefined][] = [
    [9376, 'TCP', 9376],
    ['http', 'TCP', 8080],
    ['http', 'UDP', undefined],
    ['dns', 'UDP', 53],
    ['nope', 'TCP', undefined],
  ];
  for (const [target, protocol, want] of cases) {
    it(`${String(target)}/${protocol} → ${String(want)}`, () => {
      assert.equal(findPort(p, { port: 80, targetPort: target as number | string, protocol: protocol as 'TCP' }), want);
    });
  }
  it('no targetPort: the port itself', () => assert.equal(findPort(p, { port: 80 }), 80));
});
