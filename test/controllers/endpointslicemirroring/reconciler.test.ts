// The mirroring reconciler, table-driven: user-written Endpoints → EndpointSlices.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints } from '../../../src/api/core.js';
import type { EndpointSlice } from '../../../src/api/discovery.js';
import { reconcileMirroredSlices } from '../../../src/controllers/endpointslicemirroring/reconciler.js';
import { parseEndpointIP } from '../../../src/controllers/endpointslicemirroring/desired.js';
import { shouldMirror } from '../../../src/controllers/endpointslicemirroring/controller.js';

function eps(subsets: Endpoints['subsets'], meta: Partial<Endpoints['metadata']> = {}): Endpoints {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext', namespace: 'default', uid: 'uid-ext', ...meta }, subsets };
}

function created(plan: ReturnType<typeof reconcileMirroredSlices>): EndpointSlice[] {
  return plan.toCreate.map((s, i) => ({ ...structuredClone(s), metadata: { ...structuredClone(s.metadata), name: `ext-${i}`, resourceVersion: '5', generateName: undefined } }));
}

describe('EndpointSlice mirroring', () => {
  const http = { name: 'http', port: 80, protocol: 'TCP' as const };

  it('one subset becomes one slice, labelled, owned by the Endpoints, not-ready addresses ready=false', () => {
    const e = eps([{ addresses: [{ ip: '192.168.1.10' }], notReadyAddresses: [{ ip: '192.168.1.11', nodeName: 'n1' }], ports: [http] }], {
      labels: { team: 'a' },
      annotations: { note: 'x', 'endpoints.kubernetes.io/last-change-trigger-time': 't', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    });
    const p = reconcileMirroredSlices(e, [], 1000);
    assert.equal(p.toCreate.length, 1);
    const s = p.toCreate[0]!;
    assert.equal(s.metadata.generateName, 'ext-');
    assert.deepEqual(s.metadata.labels, { team: 'a', 'kubernetes.io/service-name': 'ext', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' });
    assert.deepEqual(s.metadata.annotations, { note: 'x' });
    assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Endpoints', name: 'ext', uid: 'uid-ext', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(s.ports, [{ name: 'http', port: 80, protocol: 'TCP' }]);
    assert.deepEqual(s.endpoints, [
      { addresses: ['192.168.1.10'], conditions: { ready: true } },
      { addresses: ['192.168.1.11'], conditions: { ready: false }, nodeName: 'n1' },
    ]);
  });

  it('unchanged on the next sync; a changed address updates the same slice', () => {
    const e = eps([{ addresses: [{ ip: '192.168.1.10' }], ports: [http] }]);
    const existing = created(reconcileMirroredSlices(e, [], 1000));
    const again = reconcileMirroredSlices(e, existing, 1000);
    assert.deepEqual([again.toCreate.length, again.toUpdate.length, again.toDelete.length], [0, 0, 0]);
    const changed = reconcileMirroredSlices(eps([{ addresses: [{ ip: '192.168.1.12' }], ports: [http] }]), existing, 1000);
    assert.equal(changed.toUpdate.length, 1);
    assert.equal(changed.toUpdate[0]!.metadata.name, 'ext-0');
    assert.deepEqual(changed.toUpdate[0]!.endpoints.map((x) => x.addresses[0]), ['192.168.1.12']);
  });

  it('subsets with different ports give separate slices; a port change recycles the slice', () => {
    const e = eps([
      { addresses: [{ ip: '192.168.1.10' }], ports: [http] },
      { addresses: [{ ip: '192.168.1.11' }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
    ]);
    const p = reconcileMirroredSlices(e, [], 1000);
    assert.equal(p.toCreate.length, 2);
    const existing = created(reconcileMirroredSlices(eps([{ addresses: [{ ip: '192.168.1.10' }], ports: [http] }]), [], 1000));
    const moved = reconcileMirroredSlices(eps([{ addresses: [{ ip: '192.168.1.10' }], ports: [{ ...http, port: 8080 }] }]), existing, 1000);
    assert.deepEqual([moved.toCreate.length, moved.toUpdate.length, moved.toDelete.length], [0, 1, 0]);
    assert.equal(moved.toUpdate[0]!.metadata.name, 'ext-0');
  });

  it('invalid IPs are skipped and counted; a subset is capped at maxEndpointsPerSubset', () => {
    const p = reconcileMirroredSlices(eps([{ addresses: [{ ip: 'not-an-ip' }, { ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }], ports: [http] }]), [], 2);
    assert.equal(p.invalidAddresses, 1);
    assert.equal(p.skippedAddresses, 2);
    assert.equal(p.toCreate[0]!.endpoints.length, 2);
  });

  it('IPv6 addresses go to an IPv6 slice', () => {
    const p = reconcileMirroredSlices(eps([{ addresses: [{ ip: '10.0.0.1' }, { ip: 'FD00::0001' }], ports: [http] }]), [], 1000);
    assert.deepEqual(p.toCreate.map((s) => [s.addressType, s.endpoints[0]!.addresses[0]]).sort(), [
      ['IPv4', '10.0.0.1'],
      ['IPv6', 'fd00::1'],
    ]);
  });

  it('no subsets: existing mirrored slices are deleted', () => {
    const existing = created(reconcileMirroredSlices(eps([{ addresses: [{ ip: '10.0.0.1' }], ports: [http] }]), [], 1000));
    const p = reconcileMirroredSlices(eps([]), existing, 1000);
    assert.equal(p.toDelete.length, 1);
  });

  it('skip-mirror and leader-election records are not mirrored', () => {
    assert.equal(shouldMirror(eps([], { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } })), false);
    assert.equal(shouldMirror(eps([], { annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } })), false);
    assert.equal(shouldMirror(eps([], { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'false' } })), true);
  });

  it('parseEndpointIP', () => {
    assert.deepEqual(parseEndpointIP('10.0.0.1'), { ip: '10.0.0.1', addressType: 'IPv4' });
    assert.equal(parseEndpointIP('10.0.0.256'), undefined);
    assert.equal(parseEndpointIP('example.com'), undefined);
  });
});
