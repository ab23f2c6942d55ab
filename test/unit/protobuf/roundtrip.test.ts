// JSON → protobuf → JSON for realistic objects of every served kind: the result must be the very
// object we started from (each fixture is written as Go's encoding/json would print it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeK8sProtobuf, encodeK8sProtobuf } from '../../../src/apiserver/protobuf/index.js';
import * as fx from './fixtures.js';
import { sortKeys } from './capture-server.js';

const singles: [string, Record<string, unknown>][] = [
  ['Namespace', fx.namespace],
  ['Namespace (terminating)', fx.terminatingNamespace],
  ['Service', fx.service],
  ['Endpoints', fx.endpoints],
  ['Pod', fx.pod],
  ['Node', fx.node],
  ['Event', fx.event],
  ['Deployment', fx.deployment],
  ['ReplicaSet', fx.replicaSet],
  ['EndpointSlice', fx.endpointSlice],
  ['Lease', fx.lease],
  ['ConfigMap', fx.configMap],
  ['Secret', fx.secret],
  ['ServiceAccount', fx.serviceAccount],
  ['Scale', fx.scale],
  ['Status', fx.status],
  ['DeleteOptions', fx.deleteOptions],
  ['Binding', fx.binding],
  ['Eviction', fx.eviction],
  ['NamespaceList', fx.namespaceList],
  ...fx.lists.map((l) => [`${l.kind} (${l.items.length} items)`, l] as [string, Record<string, unknown>]),
];

describe('protobuf round trip', () => {
  for (const [name, obj] of singles) {
    it(name, () => {
      const buf = encodeK8sProtobuf(obj as never);
      assert.deepEqual(buf.subarray(0, 4), Buffer.from('k8s\0', 'latin1'));
      const back = decodeK8sProtobuf(buf);
      assert.equal(back.kind, obj.kind);
      assert.equal(back.apiVersion, obj.apiVersion);
      assert.deepEqual(sortKeys(back.object), sortKeys(obj));
      // Encoding is deterministic: a second trip writes the same bytes.
      assert.deepEqual(encodeK8sProtobuf(back.object as never), buf);
    });
  }
});

describe('protobuf decode keeps Go semantics', () => {
  it('an empty list decodes with items null, as a Go client sees a nil slice', () => {
    const back = decodeK8sProtobuf(encodeK8sProtobuf({ kind: 'ServiceList', apiVersion: 'v1', metadata: { resourceVersion: '6' }, items: [] } as never));
    assert.deepEqual(back.object, { kind: 'ServiceList', apiVersion: 'v1', metadata: { resourceVersion: '6' }, items: null });
  });
});
