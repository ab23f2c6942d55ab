// The components of `kubesvc up` under their own identities, as a user checks with kubectl: the
// controllers' ServiceAccounts exist in kube-system and may do what their system:controller:*
// roles grant; kube-proxy may not create pods; the default policy's roles read as upstream's; and
// the cluster still works end to end (a Deployment's pods run, a LoadBalancer gets its address).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { upstreamClusterRoles } from '../fixtures/rbac-bootstrap/upstream-v1.32.js';
import { startCluster, kubectl, kubectlOk, until, type Cluster } from './harness.js';

const canI = (c: Cluster, as: string, ...what: string[]) => kubectl(c, ['auth', 'can-i', `--as=${as}`, ...what]).stdout.trim();

describe('components under their own identities', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  it('kubectl auth can-i answers for the controllers’ ServiceAccounts and kube-proxy as upstream’s roles say', () => {
    assert.equal(canI(c, 'system:serviceaccount:kube-system:deployment-controller', 'create', 'replicasets'), 'yes');
    assert.equal(canI(c, 'system:serviceaccount:kube-system:deployment-controller', 'create', 'secrets'), 'no');
    assert.equal(canI(c, 'system:serviceaccount:kube-system:endpointslice-controller', 'update', 'endpointslices.discovery.k8s.io'), 'yes');
    assert.equal(canI(c, 'system:kube-proxy', 'create', 'pods'), 'no');
    assert.equal(canI(c, 'system:kube-proxy', 'watch', 'endpointslices.discovery.k8s.io'), 'yes');
    const accounts = kubectlOk(c, ['get', 'serviceaccounts', '-n', 'kube-system', '-o', 'jsonpath={.items[*].metadata.name}']).split(' ');
    for (const sa of ['deployment-controller', 'replicaset-controller', 'endpointslice-controller', 'coredns', 'servicelb-controller']) assert.ok(accounts.includes(sa), sa);
  });

  it('kubectl get clusterrole system:node-proxier -o yaml shows upstream’s rules and marks', () => {
    const role = JSON.parse(kubectlOk(c, ['get', 'clusterrole', 'system:node-proxier', '-o', 'json']));
    assert.equal(role.metadata.labels['kubernetes.io/bootstrapping'], 'rbac-defaults');
    assert.equal(role.metadata.annotations['rbac.authorization.kubernetes.io/autoupdate'], 'true');
    assert.deepEqual(role.rules, upstreamClusterRoles['system:node-proxier']!.rules);
    assert.match(kubectlOk(c, ['get', 'clusterrole', 'system:node-proxier', '-o', 'yaml']), /- discovery\.k8s\.io\n\s+resources:\n\s+- endpointslices/);
  });

  it('the cluster works with every component so restricted: a Deployment’s pods run, a LoadBalancer gets its IP', async () => {
    kubectlOk(c, ['create', 'deployment', 'idweb', '--image=kubesvc.io/host', '--replicas=2', '--', 'sleep', '600']);
    kubectlOk(c, ['expose', 'deployment', 'idweb', '--type=LoadBalancer', '--port=80', '--target-port=8080']);
    await until('2 ready replicas', () => kubectlOk(c, ['get', 'deployment', 'idweb', '-o', 'jsonpath={.status.readyReplicas}']), (v) => v === '2', 30_000);
    await until('a LoadBalancer IP', () => kubectlOk(c, ['get', 'svc', 'idweb', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}']), (v) => v.startsWith(c.plan.lbPrefix));
    const managers = kubectlOk(c, ['get', 'replicasets', '-l', 'app=idweb', '-o', 'jsonpath={.items[0].metadata.managedFields[*].manager}']);
    // The ReplicaSet and its status are written by the controllers, recorded under the binary's name.
    assert.deepEqual([...new Set(managers.split(' '))], ['kube-controller-manager']);
  });

  it('the controller manager and the scheduler each lead through their Lease in kube-system, and say so in an event', async () => {
    for (const name of ['kube-controller-manager', 'kube-scheduler']) {
      const lease = JSON.parse(kubectlOk(c, ['get', 'lease', name, '-n', 'kube-system', '-o', 'json']));
      assert.match(lease.spec.holderIdentity, /^[^_]+_[0-9a-f-]{36}$/, name);
      assert.equal(lease.spec.leaseDurationSeconds, 15);
      assert.ok(lease.spec.acquireTime && lease.spec.renewTime, name);
      const events = await until(
        `a LeaderElection event for ${name}`,
        () => kubectlOk(c, ['get', 'events', '-n', 'kube-system', '--field-selector', `involvedObject.kind=Lease,involvedObject.name=${name}`, '-o', 'jsonpath={.items[*].message}']),
        (v) => v !== '',
      );
      assert.equal(events, `${lease.spec.holderIdentity} became leader`);
    }
  });
});
