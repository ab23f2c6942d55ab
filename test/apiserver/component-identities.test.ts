// In-process components act under their own identities, judged by the same authorizer chain as
// HTTP requests (Node authorizer, RBAC) and NodeRestriction: what each role does not grant is
// refused with upstream's 403 Status, what it grants works, and grants made later take effect.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalClient } from '../../src/apiserver/local-client.js';
import { identities, type ComponentIdentity } from '../../src/apiserver/auth/component-identity.js';
import { R } from '../../src/client/resources.js';
import type { ResourceRef } from '../../src/client/client.js';
import type { Node, Pod, Secret } from '../../src/api/core.js';
import type { KubeObject } from '../../src/api/meta.js';
import { StatusError } from '../../src/machinery/status.js';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import { eventually } from '../controllers/cluster.js';

let t: TestApiServer;
let root: LocalClient;

/** The StatusError `p` rejects with. */
async function statusOf(p: Promise<unknown>): Promise<StatusError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return e;
  }
  assert.fail('expected the call to be refused');
}

const pod = (name: string, nodeName: string, spec: Record<string, unknown> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }], ...spec },
});
const node = (name: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
const secret = (name: string): Secret => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace: 'default' }, data: {} });
const user = (name: string, groups: string[] = ['system:authenticated']): ComponentIdentity => ({ user: { name, groups }, userAgent: 'test' });
const review = (resource: string): ResourceRef => ({ group: 'authorization.k8s.io', version: 'v1', resource, namespaced: resource.startsWith('local'), kind: '' });

before(async () => {
  t = await startTestApiServer({ prefix: 'identities-' });
  root = new LocalClient(t.api);
  for (const n of ['n1', 'n2']) await root.create(R.nodes, undefined, node(n));
});
after(async () => t?.stop());

describe('kube-proxy (system:kube-proxy, bound to system:node-proxier)', () => {
  test('reads Services and EndpointSlices, but cannot create pods', async () => {
    const proxy = root.as(identities.kubeProxy);
    await proxy.list(R.services, undefined);
    await proxy.list(R.endpointslices, undefined);
    const e = await statusOf(proxy.create(R.pods, 'default', pod('p', 'n1')));
    assert.equal(e.code, 403);
    assert.equal(e.reason, 'Forbidden');
    assert.equal(e.message, 'pods is forbidden: User "system:kube-proxy" cannot create resource "pods" in API group "" in the namespace "default"');
  });
});

describe('controllers as their kube-system ServiceAccounts', () => {
  test('the deployment controller may create ReplicaSets, not Secrets', async () => {
    const dc = root.as(identities.controller('deployment-controller'));
    await dc.list(R.replicasets, 'default');
    await dc.create(R.replicasets, 'default', {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'rs', namespace: 'default' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    } as KubeObject);
    const e = await statusOf(dc.create(R.secrets, 'default', secret('nope')));
    assert.equal(e.code, 403);
    assert.match(e.message, /User "system:serviceaccount:kube-system:deployment-controller" cannot create resource "secrets"/);
  });

  test('writes are recorded in managedFields under the binary’s name, as upstream’s user agent gives it', async () => {
    const rs = await root.get<KubeObject>(R.replicasets, 'default', 'rs');
    assert.deepEqual(rs.metadata.managedFields?.map((m) => m.manager), ['kube-controller-manager']);
  });
});

describe('kubelets (system:node:<name>): Node authorizer and NodeRestriction', () => {
  test('a node reads a Secret only once a pod bound to it references it', async () => {
    await root.create(R.secrets, 'default', secret('creds'));
    const n1 = root.as(identities.node('n1'));
    const e = await statusOf(n1.get(R.secrets, 'default', 'creds'));
    assert.equal(e.code, 403);
    assert.equal(
      e.message,
      `secrets "creds" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'n1' and this object`,
    );
    await root.create(R.pods, 'default', pod('uses-creds', 'n1', { volumes: [{ name: 'v', secret: { secretName: 'creds' } }] }));
    await eventually(() => n1.get(R.secrets, 'default', 'creds'));
    // Another node still may not, and a list of every Secret is refused outright.
    assert.equal((await statusOf(root.as(identities.node('n2')).get(R.secrets, 'default', 'creds'))).code, 403);
    assert.match((await statusOf(n1.list(R.secrets, 'default'))).message, /: No Object name found$/);
  });

  test('a node reads a PersistentVolume only once a claim its pod uses is bound to it', async () => {
    await root.create(R.persistentvolumes, undefined, {
      apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'vol-1' },
      spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'none', hostPath: { path: '/nonexistent/vol-1' } },
    });
    await root.create(R.persistentvolumeclaims, 'default', {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'claim-1' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'none', volumeName: 'vol-1', resources: { requests: { storage: '1Gi' } } },
    });
    const n2 = root.as(identities.node('n2'));
    const e = await statusOf(n2.get(R.persistentvolumes, undefined, 'vol-1'));
    assert.equal(e.code, 403);
    assert.match(e.message, /cannot get resource "persistentvolumes" in API group "" at the cluster scope: no relationship found between node 'n2' and this object$/);
    await root.create(R.pods, 'default', pod('uses-claim', 'n2', { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'claim-1' } }] }));
    await eventually(() => n2.get(R.persistentvolumeclaims, 'default', 'claim-1'));
    await eventually(() => n2.get(R.persistentvolumes, undefined, 'vol-1'));
    assert.equal((await statusOf(root.as(identities.node('n1')).get(R.persistentvolumes, undefined, 'vol-1'))).code, 403);
  });

  test('a node lists only the pods bound to it', async () => {
    const n1 = root.as(identities.node('n1'));
    const e = await statusOf(n1.list(R.pods, undefined));
    assert.match(e.message, /: can only list\/watch pods with spec.nodeName field selector$/);
    const mine = await n1.list<Pod>(R.pods, undefined, { fieldSelector: 'spec.nodeName=n1' });
    assert.deepEqual(mine.items.map((p) => p.metadata.name), ['uses-creds']);
  });

  test('a node cannot update another node’s status, only its own', async () => {
    const n1 = root.as(identities.node('n1'));
    const other = await root.get<Node>(R.nodes, undefined, 'n2');
    const e = await statusOf(n1.update(R.nodes, undefined, { ...other, status: { conditions: [] } }, { subresource: 'status' }));
    assert.equal(e.code, 403);
    assert.equal(e.message, 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');
    const own = await root.get<Node>(R.nodes, undefined, 'n1');
    await n1.update(R.nodes, undefined, { ...own, status: { ...own.status, capacity: { pods: '10' } } }, { subresource: 'status' });
  });

  test('a node may not change its own taints, nor set restricted labels', async () => {
    const n1 = root.as(identities.node('n1'));
    const own = await root.get<Node>(R.nodes, undefined, 'n1');
    const tainted = { ...own, spec: { ...own.spec, taints: [{ key: 'k', effect: 'NoSchedule' }] } };
    assert.equal((await statusOf(n1.update(R.nodes, undefined, tainted))).message, 'nodes "n1" is forbidden: node "n1" is not allowed to modify taints');
    const labelled = { ...own, metadata: { ...own.metadata, labels: { ...own.metadata.labels, 'node-role.kubernetes.io/control-plane': '', 'node.kubernetes.io/exclude': 'x' } } };
    assert.equal(
      (await statusOf(n1.update(R.nodes, undefined, labelled))).message,
      'nodes "n1" is forbidden: node "n1" is not allowed to modify labels: node-role.kubernetes.io/control-plane',
    );
    await n1.patch(R.nodes, undefined, 'n1', 'merge', { metadata: { labels: { 'kubernetes.io/hostname': 'n1', 'example.com/rack': 'r1' } } });
  });

  test('a node deletes and updates the status of only the pods bound to it', async () => {
    await root.create(R.pods, 'default', pod('on-n2', 'n2'));
    const n1 = root.as(identities.node('n1'));
    const del = await statusOf(n1.delete(R.pods, 'default', 'on-n2'));
    assert.equal(del.message, 'pods "on-n2" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself');
    const p = await root.get<Pod>(R.pods, 'default', 'on-n2');
    const st = await statusOf(n1.update(R.pods, 'default', { ...p, status: { ...p.status, phase: 'Running' } }, { subresource: 'status' }));
    assert.equal(st.message, 'pods "on-n2" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself');
    await root.as(identities.node('n2')).update(R.pods, 'default', { ...p, status: { ...p.status, phase: 'Running' } }, { subresource: 'status' });
  });

  test('a node’s Lease is its own, in kube-node-lease', async () => {
    const n1 = root.as(identities.node('n1'));
    const lease = (name: string, namespace: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: { holderIdentity: name } });
    await n1.create(R.leases, 'kube-node-lease', lease('n1', 'kube-node-lease'));
    const e = await statusOf(n1.create(R.leases, 'kube-node-lease', lease('n2', 'kube-node-lease')));
    assert.equal(e.message, 'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node');
    assert.equal((await statusOf(n1.create(R.leases, 'default', lease('n1', 'default')))).code, 403);
  });
});

describe('RBAC decisions for in-process clients', () => {
  test('a binding made later takes effect at once (the decision cache follows RBAC writes)', async () => {
    const jane = root.as(user('jane'));
    assert.equal((await statusOf(jane.list(R.configmaps, 'default'))).code, 403);
    await root.create(R.clusterrolebindings, undefined, {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'jane-view' },
      // Not `view` itself: no aggregation controller runs here to fill it.
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:aggregate-to-view' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'jane' }],
    } as KubeObject);
    await eventually(() => jane.list(R.configmaps, 'default'), 3000);
    await root.delete(R.clusterrolebindings, undefined, 'jane-view');
    await eventually(async () => assert.equal((await statusOf(jane.list(R.configmaps, 'default'))).code, 403), 3000);
  });

  test('access reviews give RBAC’s reason; a LocalSubjectAccessReview is bound to its namespace', async () => {
    const spec = { user: 'system:kube-proxy', resourceAttributes: { verb: 'list', resource: 'endpointslices', group: 'discovery.k8s.io', namespace: 'default' } };
    const sar = await root.create(review('subjectaccessreviews'), undefined, {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      metadata: {},
      spec,
    } as KubeObject);
    assert.deepEqual(sar.status, {
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "system:node-proxier" of ClusterRole "system:node-proxier" to User "system:kube-proxy"',
    });
    const lsar = await root.create(review('localsubjectaccessreviews'), 'default', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'LocalSubjectAccessReview',
      metadata: { namespace: 'default' },
      spec: { ...spec, resourceAttributes: { ...spec.resourceAttributes, verb: 'delete' } },
    } as KubeObject);
    assert.deepEqual(lsar.status, { allowed: false });
    const e = await statusOf(
      root.create(review('localsubjectaccessreviews'), 'default', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'LocalSubjectAccessReview',
        metadata: { namespace: 'default' },
        spec: { ...spec, resourceAttributes: { ...spec.resourceAttributes, namespace: 'kube-system' } },
      } as KubeObject),
    );
    assert.equal(e.code, 400);
    assert.equal(e.message, 'spec.resourceAttributes.namespace must match namespace: default');
    const bad = await statusOf(
      root.create(review('localsubjectaccessreviews'), 'default', {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'LocalSubjectAccessReview',
        metadata: { namespace: 'default' },
        spec: { user: 'x', nonResourceAttributes: { path: '/healthz', verb: 'get' } },
      } as KubeObject),
    );
    assert.equal(bad.code, 422);
    assert.ok(bad.toStatus().details?.causes?.some((c) => c.field === 'spec.nonResourceAttributes'));
    // Hostile: a spec of the wrong type is Go's decoding error, a 400.
    const malformed = await statusOf(
      root.create(review('localsubjectaccessreviews'), 'default', { apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', metadata: {}, spec: 'x' } as unknown as KubeObject),
    );
    assert.equal(malformed.code, 400);
  });
});
