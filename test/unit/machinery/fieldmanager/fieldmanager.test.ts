// The two calls the API server makes, on the kinds' real schemas: recordUpdate (every write) and
// applyConfiguration (server-side apply), including the client-side-apply takeover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyConfiguration, recordUpdate, lastAppliedAnnotation } from '../../../../src/machinery/fieldmanager/index.js';
import type { KubeObject } from '../../../../src/api/meta.js';

const svcKind = { group: '', version: 'v1', kind: 'Service', hasStatus: true };
const podKind = { group: '', version: 'v1', kind: 'Pod', hasStatus: true };
const now = new Date('2024-05-01T10:00:00Z');
const svc = (extra: object = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 's', namespace: 'default', uid: 'u', resourceVersion: '5', creationTimestamp: '2024-01-01T00:00:00Z' },
  spec: { selector: { app: 's' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], type: 'ClusterIP', sessionAffinity: 'None' },
  ...extra,
});

test('a create is an Update owning what the creator set, metadata system fields excluded', () => {
  const o = svc();
  recordUpdate(svcKind, undefined, o, { manager: 'kubectl-create', now });
  assert.deepEqual(o.metadata.managedFields, [
    {
      manager: 'kubectl-create',
      operation: 'Update',
      apiVersion: 'v1',
      time: '2024-05-01T10:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:spec': {
          'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:protocol': {}, 'f:targetPort': {} } },
          'f:selector': {},
          'f:sessionAffinity': {},
          'f:type': {},
        },
      },
    },
  ]);
});

test('an update that changes nothing leaves managedFields (and their times) as they were', () => {
  const o = svc();
  recordUpdate(svcKind, undefined, o, { manager: 'a', now });
  const same = structuredClone(o);
  recordUpdate(svcKind, o, same, { manager: 'b', now: new Date('2025-01-01T00:00:00Z') });
  assert.deepEqual(same.metadata.managedFields, o.metadata.managedFields);
});

test('a status write is recorded with subresource "status" and owns only status', () => {
  const live = svc();
  recordUpdate(svcKind, undefined, live, { manager: 'a', now });
  const next = structuredClone(live);
  next.status = { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } };
  (next.spec as { type: string }).type = 'LoadBalancer';
  recordUpdate(svcKind, live, next, { manager: 'lb', subresource: 'status', now });
  const e = next.metadata.managedFields!.find((m) => m.manager === 'lb')!;
  assert.equal(e.subresource, 'status');
  assert.deepEqual(Object.keys(e.fieldsV1 as object), ['f:status']);
});

test('an object that does not fit its schema (a list item that is not an object) is stored without managedFields', () => {
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', managedFields: [{ manager: 'x', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }] },
    spec: { containers: [{ name: 'a', image: 'i' }, 'j'] },
  };
  recordUpdate(podKind, undefined, pod, { manager: 'm', now });
  assert.equal(pod.metadata.managedFields, undefined);
});

test('more than ten Update managers through recordUpdate fold into ancient-changes', () => {
  let live = svc({ metadata: { ...svc().metadata, labels: {} } });
  for (let i = 0; i < 12; i++) {
    const next = structuredClone(live);
    next.metadata.labels = { ...next.metadata.labels, [`l${i}`]: 'v' };
    recordUpdate(svcKind, live, next, { manager: `m${i}`, now: new Date(Date.UTC(2024, 0, 1, 0, 0, i)) });
    live = next;
  }
  const names = live.metadata.managedFields!.map((e) => e.manager);
  assert.equal(names.length, 10);
  assert.equal(names[0], 'ancient-changes');
  assert.deepEqual(Object.keys((live.metadata.managedFields![0]!.fieldsV1 as any)['f:metadata']['f:labels']).sort(), ['f:l0', 'f:l1', 'f:l2']);
});

test('kubectl server-side apply over client-side apply: the user\'s own changed fields are no conflict, the annotation follows', () => {
  const cfg = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { selector: { app: 's' }, ports: [{ port: 80, targetPort: 80 }] } };
  const live = svc({ metadata: { ...svc().metadata, annotations: { [lastAppliedAnnotation]: JSON.stringify(cfg) } } });
  recordUpdate(svcKind, undefined, live, { manager: 'kubectl-client-side-apply', now });
  const changed = structuredClone(cfg);
  changed.spec.ports[0]!.targetPort = 81;
  // Another manager name gets the conflict ...
  assert.throws(() => applyConfiguration(svcKind, live, changed, { manager: 'helm', force: false, now }), /conflict with "kubectl-client-side-apply" using v1: \.spec\.ports\[port=80,protocol="TCP"\]\.targetPort/);
  // ... kubectl does not: the last-applied configuration named the field.
  const out = applyConfiguration(svcKind, live, changed, { manager: 'kubectl', force: false, now });
  assert.equal((out.spec as any).ports[0].targetPort, 81);
  assert.deepEqual(JSON.parse(out.metadata.annotations![lastAppliedAnnotation]!), changed);
  // A field client-side apply owns that the last-applied configuration did not name still conflicts.
  const typeChange = { ...structuredClone(cfg), spec: { ...cfg.spec, type: 'NodePort' } };
  assert.throws(() => applyConfiguration(svcKind, live, typeChange, { manager: 'kubectl', force: false, now }), /\.spec\.type/);
});
