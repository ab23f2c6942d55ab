// The Table envelope: kind, metadata, column definitions, includeObject, noHeaders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/api/meta.js';
import { toTable } from '../../../src/apiserver/tables/index.js';
import { printerFor } from './printers.js';
import { NOW } from './helpers.js';

const ns = (name: string, rv: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, resourceVersion: rv, uid: `uid-${name}`, labels: { 'kubernetes.io/metadata.name': name } },
  status: { phase: 'Active' },
});

test('a list becomes a meta.k8s.io/v1 Table carrying the list metadata', () => {
  const t = toTable(printerFor('namespaces', ''), [ns('a', '3'), ns('b', '4')], {
    now: NOW,
    listMeta: { resourceVersion: '10', continue: 'tok', remainingItemCount: 5 },
  });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(t.metadata, { resourceVersion: '10', continue: 'tok', remainingItemCount: 5 });
  assert.deepEqual(t.rows.map((r) => r.cells[0]), ['a', 'b']);
});

test('empty list metadata fields are left out, as omitempty does', () => {
  const t = toTable(printerFor('namespaces', ''), [], { now: NOW, listMeta: { resourceVersion: '10', continue: '' } });
  assert.deepEqual(t.metadata, { resourceVersion: '10' });
  assert.deepEqual(t.rows, []);
  assert.equal(JSON.parse(JSON.stringify(t)).rows.length, 0);
});

test('one object without list metadata: the table takes its resourceVersion (GET by name, watch events)', () => {
  const t = toTable(printerFor('namespaces', ''), [ns('a', '42')], { now: NOW });
  assert.deepEqual(t.metadata, { resourceVersion: '42' });
});

test('rows carry PartialObjectMetadata by default', () => {
  const t = toTable(printerFor('namespaces', ''), [ns('a', '3')], { now: NOW });
  assert.deepEqual(t.rows[0]!.object, {
    kind: 'PartialObjectMetadata',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { name: 'a', resourceVersion: '3', uid: 'uid-a', labels: { 'kubernetes.io/metadata.name': 'a' } },
  });
});

test('includeObject=Object carries the whole object, None carries null', () => {
  const obj = ns('a', '3');
  assert.deepEqual(toTable(printerFor('namespaces', ''), [obj], { now: NOW, includeObject: 'Object' }).rows[0]!.object, obj);
  assert.equal(toTable(printerFor('namespaces', ''), [obj], { now: NOW, includeObject: 'None' }).rows[0]!.object, null);
});

test('column definitions have every field kubectl reads, and wide columns have priority 1', () => {
  const t = toTable(printerFor('nodes', ''), [], { now: NOW });
  for (const c of t.columnDefinitions) {
    assert.deepEqual(Object.keys(c).sort(), ['description', 'format', 'name', 'priority', 'type']);
    assert.ok(c.description.length > 0, `${c.name} has a description`);
  }
  assert.deepEqual(t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name), ['Name', 'Status', 'Roles', 'Age', 'Version']);
});

test('every row has a cell for every column, wide ones included', () => {
  const resources: [string, string][] = [
    ['services', ''], ['pods', ''], ['endpoints', ''], ['namespaces', ''], ['nodes', ''], ['events', ''],
    ['deployments', 'apps'], ['replicasets', 'apps'], ['statefulsets', 'apps'], ['daemonsets', 'apps'], ['controllerrevisions', 'apps'], ['endpointslices', 'discovery.k8s.io'], ['leases', 'coordination.k8s.io'], ['persistentvolumes', ''], ['persistentvolumeclaims', ''], ['storageclasses', 'storage.k8s.io'],
    ['widgets', 'example.com'],
  ];
  for (const [r, g] of resources) {
    const t = toTable(printerFor(r, g), [{ metadata: { name: 'x' } } as KubeObject], { now: NOW });
    assert.equal(t.rows[0]!.cells.length, t.columnDefinitions.length, `${g}/${r}`);
  }
});

test('noHeaders leaves out the column definitions but keeps the rows', () => {
  const t = toTable(printerFor('namespaces', ''), [ns('a', '3')], { now: NOW, noHeaders: true });
  assert.deepEqual(t.columnDefinitions, []);
  assert.equal(t.rows.length, 1);
});

test('the core group may be spelled "core"', () => {
  const t = toTable(printerFor('namespaces', 'core'), [ns('a', '3')], { now: NOW });
  assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Status', 'Age']);
});
