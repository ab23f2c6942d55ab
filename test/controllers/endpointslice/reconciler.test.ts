// The EndpointSlice reconciler's decisions, table-driven: desired slices from pods and Service,
// conditions, named ports splitting slices, placeholder, and churn minimisation against
// existing slices.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from '../../../src/api/discovery.js';
import { reconcileEndpointSlices, type EndpointSlicePlan } from '../../../src/controllers/endpointslice/reconciler.js';
import { EndpointSliceControllerName } from '../../../src/controllers/endpointslice/util/labels.js';
import type { Pod, Service } from '../../../src/api/core.js';
import { pod, pods, svc } from './fixtures.js';

const ctrl = EndpointSliceControllerName;

function plan(service: Service, ps: Pod[], existing: EndpointSlice[] = [], max = 100, nodeFor?: (n: string) => null | undefined): EndpointSlicePlan {
  return reconcileEndpointSlices({ service, pods: ps, existingSlices: existing, maxEndpointsPerSlice: max, controllerName: ctrl, ...(nodeFor ? { nodeFor } : {}) });
}

/** Applies a plan to a list of slices as the API server would (names for creates, a version bump for updates). */
function apply(existing: EndpointSlice[], p: EndpointSlicePlan, seq = { n: 0 }): EndpointSlice[] {
  const out = new Map(existing.map((s) => [s.metadata.name!, s]));
  for (const d of p.toDelete) out.delete(d.metadata.name!);
  for (const u of p.toUpdate) out.set(u.metadata.name!, structuredClone(u));
  for (const c of p.toCreate) {
    const s = structuredClone(c);
    s.metadata.name = `${c.metadata.generateName}x${seq.n++}`;
    s.metadata.resourceVersion = '1';
    delete s.metadata.generateName;
    out.set(s.metadata.name, s);
  }
  return [...out.values()];
}

const ips = (s: EndpointSlice) => s.endpoints.map((e) => e.addresses[0]).sort();

describe('EndpointSlice reconciler: desired slices', () => {
  it('one slice for three ready pods, with labels, owner, ports and conditions', () => {
    const s = svc('web', { labels: { tier: 'front' } });
    const p = plan(s, pods('web', 3));
    assert.equal(p.toCreate.length, 1);
    assert.equal(p.toUpdate.length + p.toDelete.length, 0);
    const slice = p.toCreate[0]!;
    assert.equal(slice.metadata.generateName, 'web-');
    assert.deepEqual(slice.metadata.labels, { tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': ctrl });
    assert.deepEqual(slice.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.ports, [{ name: 'http', port: 9376, protocol: 'TCP' }]);
    assert.deepEqual(ips(slice), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    assert.deepEqual(slice.endpoints[0]!.conditions, { ready: true, serving: true, terminating: false });
    assert.deepEqual(slice.endpoints[0]!.targetRef, { kind: 'Pod', namespace: 'default', name: 'web-0000', uid: 'uid-web-0000' });
  });

  const conditionCases: { name: string; o: Parameters<typeof pod>[2]; publish?: boolean; want: unknown }[] = [
    { name: 'ready', o: { ready: true }, want: { ready: true, serving: true, terminating: false } },
    { name: 'not ready', o: { ready: false }, want: { ready: false, serving: false, terminating: false } },
    { name: 'terminating, still ready', o: { ready: true, deleting: true }, want: { ready: false, serving: true, terminating: true } },
    { name: 'terminating, not ready', o: { ready: false, deleting: true }, want: { ready: false, serving: false, terminating: true } },
    { name: 'not ready, publishNotReadyAddresses', o: { ready: false }, publish: true, want: { ready: true, serving: false, terminating: false } },
    { name: 'terminating, publishNotReadyAddresses', o: { ready: true, deleting: true }, publish: true, want: { ready: true, serving: true, terminating: true } },
  ];
  for (const c of conditionCases) {
    it(`conditions: ${c.name}`, () => {
      const p = plan(svc('web', { publishNotReadyAddresses: !!c.publish }), [pod('a', 'web', { ip: '10.0.0.1', ...c.o })]);
      assert.deepEqual(p.toCreate[0]!.endpoints[0]!.conditions, c.want);
    });
  }

  it('leaves out pods without an IP and finished pods', () => {
    const p = plan(svc('web'), [pod('a', 'web', {}), pod('b', 'web', { ip: '10.0.0.2', phase: 'Succeeded' }), pod('c', 'web', { ip: '10.0.0.3', phase: 'Failed' }), pod('d', 'web', { ip: '10.0.0.4' })]);
    assert.deepEqual(ips(p.toCreate[0]!), ['10.0.0.4']);
  });

  it('nodeName, and hostname only when the pod subdomain names the Service', () => {
    const p = plan(svc('db', { clusterIP: 'None' }), [
      pod('a', 'db', { ip: '10.0.0.1', node: 'node-1', hostname: 'a', subdomain: 'db' }),
      pod('b', 'db', { ip: '10.0.0.2', hostname: 'b', subdomain: 'other' }),
    ]);
    const eps = p.toCreate[0]!.endpoints;
    assert.equal(eps[0]!.nodeName, 'node-1');
    assert.equal(eps[0]!.hostname, 'a');
    assert.equal(eps[1]!.hostname, undefined);
    assert.equal(p.toCreate[0]!.metadata.labels!['service.kubernetes.io/headless'], '');
  });

  it('a named targetPort resolves per pod, and a pod lacking it gets a slice with the ports it has', () => {
    const s = svc('web', {
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP' },
      ],
    });
    const p = plan(s, [
      pod('a', 'web', { ip: '10.0.0.1', ports: [{ name: 'http', containerPort: 8080 }] }),
      pod('b', 'web', { ip: '10.0.0.2', ports: [{ name: 'http', containerPort: 8081 }] }),
      pod('c', 'web', { ip: '10.0.0.3', ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('d', 'web', { ip: '10.0.0.4', ports: [{ name: 'http', containerPort: 8080, protocol: 'UDP' }] }),
    ]);
    const byPorts = new Map(p.toCreate.map((sl) => [JSON.stringify(sl.ports), ips(sl)]));
    assert.deepEqual(
      byPorts,
      new Map([
        [JSON.stringify([{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }]), ['10.0.0.1']],
        [JSON.stringify([{ name: 'http', port: 8081, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }]), ['10.0.0.2']],
        // Named port missing (or of another protocol): only the numeric one remains.
        [JSON.stringify([{ name: 'metrics', port: 9090, protocol: 'TCP' }]), ['10.0.0.3', '10.0.0.4']],
      ]),
    );
  });

  it('splits at maxEndpointsPerSlice', () => {
    const p = plan(svc('web'), pods('web', 250));
    assert.deepEqual(
      p.toCreate.map((s) => s.endpoints.length),
      [100, 100, 50],
    );
    const p2 = plan(svc('web'), pods('web', 7), [], 3);
    assert.deepEqual(
      p2.toCreate.map((s) => s.endpoints.length),
      [3, 3, 1],
    );
  });

  it('an empty placeholder slice when nothing is selected, kept as is on the next sync', () => {
    const s = svc('web');
    const p = plan(s, []);
    assert.equal(p.toCreate.length, 1);
    assert.deepEqual(p.toCreate[0]!.endpoints, []);
    assert.deepEqual(p.toCreate[0]!.ports, []);
    const again = plan(s, [], apply([], p));
    assert.deepEqual([again.toCreate.length, again.toUpdate.length, again.toDelete.length], [0, 0, 0]);
  });

  it('skips pods whose Node is unknown (and says so), unless not-ready addresses are published', () => {
    const ps = [pod('a', 'web', { ip: '10.0.0.1', node: 'gone' }), pod('b', 'web', { ip: '10.0.0.2', node: 'here' })];
    const nodeFor = (n: string) => (n === 'here' ? null : undefined);
    const p = plan(svc('web'), ps, [], 100, nodeFor);
    assert.deepEqual(ips(p.toCreate[0]!), ['10.0.0.2']);
    assert.deepEqual(p.podsWithoutNode, ['default/a']);
    const p2 = plan(svc('web', { publishNotReadyAddresses: true }), ps, [], 100, nodeFor);
    assert.deepEqual(ips(p2.toCreate[0]!), ['10.0.0.1', '10.0.0.2']);
  });
});

describe('EndpointSlice reconciler: minimal churn', () => {
  it('nothing to do when the slices already match', () => {
    const s = svc('web');
    const existing = apply([], plan(s, pods('web', 3)));
    const p = plan(s, pods('web', 3), existing);
    assert.deepEqual([p.toCreate.length, p.toUpdate.length, p.toDelete.length], [0, 0, 0]);
  });

  it('a pod turning not ready updates its endpoint in place, in the same slice', () => {
    const s = svc('web');
    const existing = apply([], plan(s, pods('web', 3)));
    const ps = pods('web', 3);
    ps[1] = pod('web-0001', 'web', { ip: '10.0.0.2', ready: false });
    const p = plan(s, ps, existing);
    assert.equal(p.toUpdate.length, 1);
    assert.equal(p.toUpdate[0]!.metadata.name, existing[0]!.metadata.name);
    assert.equal(p.toUpdate[0]!.metadata.resourceVersion, '1', 'update is pinned to what was read');
    const ep = p.toUpdate[0]!.endpoints.find((e) => e.addresses[0] === '10.0.0.2')!;
    assert.deepEqual(ep.conditions, { ready: false, serving: false, terminating: false });
  });

  it('a removed pod leaves its slice; a slice left empty is deleted', () => {
    const s = svc('web');
    const existing = apply([], plan(s, pods('web', 5), [], 2));
    assert.equal(existing.length, 3);
    // Remove both pods of one slice and one of another.
    const gone = new Set(existing.find((sl) => sl.endpoints.length === 2)!.endpoints.map((e) => e.targetRef!.name));
    const ps = pods('web', 5).filter((x) => !gone.has(x.metadata.name!));
    const p = plan(s, ps, existing, 2);
    assert.equal(p.toCreate.length, 0);
    assert.equal(p.toDelete.length, 1);
    assert.equal(p.removed, 2);
  });

  it('new endpoints fill slices being updated anyway before unchanged ones, and unchanged before new slices', () => {
    const s = svc('web');
    const seq = { n: 0 };
    // Three slices of 10: a(10) b(10) c(10) with max 20.
    let existing = apply([], plan(s, pods('web', 10), [], 20), seq);
    existing = apply(existing, { toCreate: plan(s, pods('web', 10, 10), [], 20).toCreate, toUpdate: [], toDelete: [], podsWithoutNode: [], added: 0, removed: 0 }, seq);
    existing = apply(existing, { toCreate: plan(s, pods('web', 10, 20), [], 20).toCreate, toUpdate: [], toDelete: [], podsWithoutNode: [], added: 0, removed: 0 }, seq);
    assert.equal(existing.length, 3);
    // Drop one pod of the first slice (it must be written), add 4 new pods.
    const ps = [...pods('web', 30).filter((x) => x.metadata.name !== 'web-0000'), ...pods('web', 4, 30)];
    const p = plan(s, ps, existing, 20);
    assert.equal(p.toCreate.length, 0, 'no new slice');
    assert.equal(p.toUpdate.length, 1, 'only the slice that changed anyway is written');
    assert.equal(p.toUpdate[0]!.endpoints.length, 13);
    assert.equal(p.toDelete.length, 0);
  });

  it('leftovers go into the unchanged slice closest to full', () => {
    const s = svc('web');
    const seq = { n: 0 };
    let existing = apply([], plan(s, pods('web', 15), [], 20), seq); // 15
    existing = apply(existing, { toCreate: plan(s, pods('web', 5, 15), [], 20).toCreate, toUpdate: [], toDelete: [], podsWithoutNode: [], added: 0, removed: 0 }, seq); // 5
    const p = plan(s, [...pods('web', 20), ...pods('web', 4, 20)], existing, 20);
    assert.equal(p.toCreate.length, 0);
    assert.equal(p.toUpdate.length, 1);
    assert.equal(p.toUpdate[0]!.endpoints.length, 19, 'the 15-slice takes all 4 (closest to full)');
  });

  it('a changed port set recycles the old slice name instead of create + delete', () => {
    const s = svc('web');
    const existing = apply([], plan(s, pods('web', 3)));
    const s2 = svc('web', { ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] });
    const p = plan(s2, pods('web', 3), existing);
    assert.equal(p.toCreate.length, 0);
    assert.equal(p.toDelete.length, 0);
    assert.equal(p.toUpdate.length, 1);
    assert.equal(p.toUpdate[0]!.metadata.name, existing[0]!.metadata.name);
    assert.deepEqual(p.toUpdate[0]!.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  });

  it('a Service label change updates labels only', () => {
    const existing = apply([], plan(svc('web'), pods('web', 2)));
    const p = plan(svc('web', { labels: { team: 'a' } }), pods('web', 2), existing);
    assert.equal(p.toUpdate.length, 1);
    assert.equal(p.toUpdate[0]!.metadata.labels!.team, 'a');
  });

  it('slices of an earlier Service with the same name are deleted, not reused', () => {
    const old = apply([], plan(svc('web'), pods('web', 2)));
    const recreated = { ...svc('web'), metadata: { ...svc('web').metadata, uid: 'uid-web-2' } };
    const p = plan(recreated, pods('web', 2), old);
    assert.equal(p.toCreate.length, 1);
    assert.equal(p.toDelete.length, 1);
    assert.equal(p.toCreate[0]!.metadata.ownerReferences![0]!.uid, 'uid-web-2');
  });

  it('the endpoint for a pod whose resourceVersion alone changed is not rewritten', () => {
    const s = svc('web');
    const existing = apply([], plan(s, pods('web', 2)));
    existing[0]!.endpoints[0]!.targetRef!.resourceVersion = '42';
    const p = plan(s, pods('web', 2), existing);
    assert.equal(p.toUpdate.length, 0);
  });
});
