// Rows of the remaining kinds: Deployments, ReplicaSets, Nodes, Namespaces, Events, Leases and the default table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deployment, ReplicaSet } from '../../../src/api/apps.js';
import type { Event, Node } from '../../../src/api/core.js';
import { toTable } from '../../../src/apiserver/tables/index.js';
import { printerFor } from './printers.js';
import { ago, cellsOf, NOW } from './helpers.js';

const template = {
  metadata: { labels: { app: 'web' } },
  spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'sidecar', image: 'busybox' }] },
};

test('deployment row: READY ready/desired, UP-TO-DATE and AVAILABLE as numbers, wide containers and selector', () => {
  const d: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: ago(3600 * 5 + 60 * 7) },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
    status: { replicas: 3, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 },
  };
  assert.deepEqual(cellsOf('deployments', 'apps', d), ['web', '1/3', 2, 1, '5h7m', 'nginx,sidecar', 'nginx:1.27,busybox', 'app=web']);
});

test('deployment row: a fresh Deployment without status', () => {
  const d: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'new' },
    spec: { replicas: 2, selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['fe', 'api'] }, { key: 'app', operator: 'Exists' }] }, template },
  };
  assert.deepEqual(cellsOf('deployments', 'apps', d), ['new', '0/2', 0, 0, '<unknown>', 'nginx,sidecar', 'nginx:1.27,busybox', 'app,tier in (api,fe)']);
});

test('replicaset row: DESIRED CURRENT READY as numbers, selector <none> when empty', () => {
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-5d4f', creationTimestamp: ago(45) },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d4f' } }, template },
    status: { replicas: 3, readyReplicas: 2 },
  };
  assert.deepEqual(cellsOf('replicasets', 'apps', rs), [
    'web-5d4f', 3, 3, 2, '45s', 'nginx,sidecar', 'nginx:1.27,busybox', 'app=web,pod-template-hash=5d4f',
  ]);
  const bare: ReplicaSet = { ...rs, spec: { ...rs.spec, selector: {} } };
  assert.equal(cellsOf('replicasets', 'apps', bare)[7], '<none>');
});

function node(name: string, extra: Partial<Node> = {}): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name }, ...extra };
}

test('node row: no conditions is Unknown, no roles is <none>, empty wide fields are <unknown>', () => {
  assert.deepEqual(cellsOf('nodes', '', node('127.0.0.1')), [
    '127.0.0.1', 'Unknown', '<none>', '<unknown>', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>',
  ]);
});

test('node row: Ready, cordoned, roles, addresses (first of each type), node info', () => {
  const n = node('node-1', {
    metadata: {
      name: 'node-1',
      creationTimestamp: ago(86400 * 3),
      labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/': '', 'kubernetes.io/role': 'edge' },
    },
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
      addresses: [
        { type: 'ExternalIP', address: '2.2.2.2' },
        { type: 'InternalIP', address: '3.3.3.3' },
        { type: 'ExternalIP', address: '4.4.4.4' },
      ],
      nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12', kernelVersion: '6.1.0', containerRuntimeVersion: 'kubesvc://0.1.0' },
    },
  });
  assert.deepEqual(cellsOf('nodes', '', n), [
    'node-1', 'Ready,SchedulingDisabled', 'control-plane,edge', '3d', 'v1.32.0', '3.3.3.3', '2.2.2.2', 'Debian GNU/Linux 12', '6.1.0', 'kubesvc://0.1.0',
  ]);
});

test('node row: Ready False or Unknown prints NotReady', () => {
  const n = node('n', { status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } });
  assert.equal(cellsOf('nodes', '', n)[1], 'NotReady');
});

test('namespace row', () => {
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', creationTimestamp: ago(600) }, status: { phase: 'Active' } };
  assert.deepEqual(cellsOf('namespaces', '', ns), ['default', 'Active', '10m']);
});

test('lease row: holder, empty when nobody holds it', () => {
  const held = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'node-1', creationTimestamp: ago(30) }, spec: { holderIdentity: 'node-1' } };
  assert.deepEqual(cellsOf('leases', 'coordination.k8s.io', held), ['node-1', 'node-1', '30s']);
  const free = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'free' }, spec: {} };
  assert.deepEqual(cellsOf('leases', 'coordination.k8s.io', free), ['free', '', '<unknown>']);
});

function event(extra: Partial<Event>): Event {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'web.17f', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-1', fieldPath: 'spec.containers{nginx}' },
    reason: 'Pulled',
    message: 'Container image "nginx" already present on machine\n',
    type: 'Normal',
    source: { component: 'kubelet', host: 'node-1' },
    ...extra,
  };
}

test('event row: LAST SEEN TYPE REASON OBJECT MESSAGE, wide SUBOBJECT SOURCE FIRST SEEN COUNT NAME', () => {
  const e = event({ firstTimestamp: ago(300), lastTimestamp: ago(5), count: 4 });
  assert.deepEqual(cellsOf('events', '', e), [
    '5s', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{nginx}', 'kubelet, node-1',
    'Container image "nginx" already present on machine', '5m', 4, 'web.17f',
  ]);
});

test('event row: a new-style event with only eventTime and no count', () => {
  const e = event({ eventTime: ago(20), source: {}, reportingComponent: 'kubesvc-scheduler', reportingInstance: '' });
  const cells = cellsOf('events', '', e);
  assert.equal(cells[0], '20s');
  assert.equal(cells[5], 'kubesvc-scheduler');
  assert.equal(cells[7], '20s');
  assert.equal(cells[8], 1);
});

test('event row: a series wins for LAST SEEN and COUNT; an object without name prints its kind', () => {
  const e = event({ eventTime: ago(600), involvedObject: { kind: 'Node' }, series: { count: 7, lastObservedTime: ago(2) } } as Partial<Event>);
  const cells = cellsOf('events', '', e);
  assert.deepEqual([cells[0], cells[3], cells[8]], ['2s', 'node', 7]);
});

test('event columns: the wide ones in upstream order', () => {
  const t = toTable(printerFor('events', ''), [], { now: NOW });
  assert.deepEqual(
    t.columnDefinitions.map((c) => [c.name, c.priority]),
    [['Last Seen', 0], ['Type', 0], ['Reason', 0], ['Object', 0], ['Subobject', 1], ['Source', 1], ['Message', 0], ['First Seen', 1], ['Count', 1], ['Name', 1]],
  );
});

test('events.k8s.io Events print like core Events', () => {
  const e = {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name: 'x.1' },
    eventTime: ago(8),
    regarding: { kind: 'Service', name: 'web' },
    reason: 'EnsuredLoadBalancer',
    note: 'Ensured load balancer',
    type: 'Normal',
    reportingController: 'kubesvc-servicelb',
    reportingInstance: 'node-1',
  };
  assert.deepEqual(cellsOf('events', 'events.k8s.io', e), [
    '8s', 'Normal', 'EnsuredLoadBalancer', 'service/web', '', 'kubesvc-servicelb, node-1', 'Ensured load balancer', '8s', 1, 'x.1',
  ]);
});

test('kinds without a printer get NAME and CREATED AT (RFC 3339, UTC, whole seconds)', () => {
  const obj = { apiVersion: 'v1', kind: 'ReplicationController', metadata: { name: 'rc', creationTimestamp: '2026-01-02T03:04:05.678Z' } };
  const t = toTable(printerFor('replicationcontrollers', ''), [obj], { now: NOW });
  assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Created At', 'date', '']]);
  assert.deepEqual(t.rows[0]!.cells, ['rc', '2026-01-02T03:04:05Z']);
});

test('configmap, secret and serviceaccount rows count their entries', () => {
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } };
  assert.deepEqual(cellsOf('configmaps', '', cm), ['cfg', 3, '<unknown>']);
  const sec = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { k: 'dg==' } };
  assert.deepEqual(cellsOf('secrets', '', sec), ['s', 'Opaque', 1, '<unknown>']);
  const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } };
  assert.deepEqual(cellsOf('serviceaccounts', '', sa), ['default', 0, '<unknown>']);
});

// Upstream's TestPrintDeployment: created a moment in the future, no ready replicas yet.
test('deployment row: upstream example', () => {
  const d: Deployment = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'test1', creationTimestamp: ago(-1.9) },
    spec: {
      replicas: 5,
      selector: { matchLabels: { foo: 'bar' } },
      template: { spec: { containers: [{ name: 'fake-container1', image: 'fake-image1' }, { name: 'fake-container2', image: 'fake-image2' }] } },
    },
    status: { replicas: 10, updatedReplicas: 2, availableReplicas: 1, unavailableReplicas: 4 },
  };
  assert.deepEqual(cellsOf('deployments', 'apps', d), [
    'test1', '0/5', 2, 1, '0s', 'fake-container1,fake-container2', 'fake-image1,fake-image2', 'foo=bar',
  ]);
});
