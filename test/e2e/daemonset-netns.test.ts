// A DaemonSet across two nodes: `kubesvc up --network netns --nodes 2` as root, kubectl against it.
// One pod per node, pinned by node affinity and bound there by the scheduler; a rolling image
// update; then a nodeSelector that excludes the second node takes its pod away and leaves the
// first. The same two nodes then take a Deployment with required pod anti-affinity: one replica
// per node, the third Pending with the scheduler's upstream message. kubesvc runs inside a
// namespace this test creates, as netns-mode.test.ts does.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectlOk, root, startCluster, until, type Cluster } from './harness.js';
import { inNs, lines, netnsSkipReason, run } from './netns-tools.js';

const skip = netnsSkipReason();
// The branch's name, cut to the 12 characters --netns-prefix allows.
const id = 'appsworkload';
const hostNs = `${id}s-host`;

const spreadDeployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: one-per-node
spec:
  replicas: 3
  selector:
    matchLabels: {app: one-per-node}
  template:
    metadata:
      labels: {app: one-per-node}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector:
              matchLabels: {app: one-per-node}
            topologyKey: kubernetes.io/hostname
      containers:
      - name: web
        image: registry.k8s.io/e2e-test-images/agnhost:2.53
        args: ["serve-hostname"]
        resources:
          requests: {cpu: 10m, memory: 16Mi}
`;

const daemonSet = readFileSync(join(root, 'test', 'e2e', 'fixtures', 'node-agent-daemonset.yaml'), 'utf8');

describe('DaemonSet on two netns nodes', { skip, timeout: 180_000 }, () => {
  let c: Cluster;
  const pods = () =>
    (JSON.parse(kubectlOk(c, ['get', 'pods', '-l', 'app=node-agent', '-o', 'json'])).items as any[]).filter((p) => !p.metadata.deletionTimestamp);

  before(async () => {
    run(['ip', 'netns', 'del', hostNs]);
    assert.equal(run(['ip', 'netns', 'add', hostNs]).code, 0);
    assert.equal(inNs(hostNs, ['ip', 'link', 'set', 'lo', 'up']).code, 0);
    c = await startCluster({ netns: hostNs, timeoutMs: 30_000, args: ['--network', 'netns', '--nodes', '2', '--proxy-mode', 'iptables', '--netns-prefix', id] });
  });
  after(async () => {
    await c?.destroy();
    for (const ns of lines(run(['ip', 'netns', 'list']).stdout).map((l) => l.split(/\s+/)[0]!)) {
      if (ns === hostNs || ns.startsWith(`${id}-node-`) || ns.startsWith(`${id}-pod-`)) run(['ip', 'netns', 'del', ns]);
    }
  });

  it('runs one pod on each node, rolls an update across both, and leaves the node its selector excludes', async () => {
    const nodes = (JSON.parse(kubectlOk(c, ['get', 'nodes', '-o', 'json'])).items as any[]).map((n) => n.metadata.name).sort();
    assert.equal(nodes.length, 2);
    await until('both nodes Ready', () => JSON.parse(kubectlOk(c, ['get', 'nodes', '-o', 'json'])).items.filter((n: any) => n.status.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')).length, (n) => n === 2, 60_000);
    kubectlOk(c, ['apply', '-f', '-'], daemonSet);
    assert.match(kubectlOk(c, ['rollout', 'status', 'daemonset/node-agent', '--timeout=90s']), /successfully rolled out/);
    assert.deepEqual(pods().map((p) => p.spec.nodeName).sort(), nodes);
    // Each pod is pinned to its node by the matchFields term, and the scheduler bound it there.
    for (const p of pods()) {
      const term = p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0];
      assert.deepEqual(term.matchFields, [{ key: 'metadata.name', operator: 'In', values: [p.spec.nodeName] }]);
    }
    kubectlOk(c, ['set', 'image', 'daemonset/node-agent', 'agent=registry.k8s.io/e2e-test-images/agnhost:2.52']);
    assert.match(kubectlOk(c, ['rollout', 'status', 'daemonset/node-agent', '--timeout=90s']), /successfully rolled out/);
    await until('both on 2.52', () => pods().map((p) => p.spec.containers[0].image.split(':').pop()).join(','), (v) => v === '2.52,2.52', 30_000);
    kubectlOk(c, ['label', 'node', nodes[0]!, 'kubesvc.test/agent=yes']);
    kubectlOk(c, ['patch', 'daemonset', 'node-agent', '-p', '{"spec":{"template":{"spec":{"nodeSelector":{"kubesvc.test/agent":"yes"}}}}}']);
    await until('only the labelled node', () => pods().map((p) => p.spec.nodeName).join(','), (v) => v === nodes[0], 60_000);
    await until('status', () => JSON.parse(kubectlOk(c, ['get', 'ds', 'node-agent', '-o', 'json'])).status, (s: any) => s.desiredNumberScheduled === 1 && s.numberMisscheduled === 0 && s.numberAvailable === 1, 30_000);
  });

  it('places a Deployment with required anti-affinity one pod per node; the extra replica stays Pending with the upstream reason', async () => {
    const nodes = JSON.parse(kubectlOk(c, ['get', 'nodes', '-o', 'json'])).items as any[];
    for (const n of nodes) {
      // Allocatable memory is capacity less the kubelet's 100Mi eviction threshold.
      const ki = (q: string) => Number(/^(\d+)Ki$/.exec(q)![1]);
      assert.equal(ki(n.status.capacity.memory) - ki(n.status.allocatable.memory), 100 * 1024);
      assert.equal(n.status.allocatable.pods, '110');
    }
    kubectlOk(c, ['apply', '-f', '-'], spreadDeployment);
    const replicas = () => (JSON.parse(kubectlOk(c, ['get', 'pods', '-l', 'app=one-per-node', '-o', 'json'])).items as any[]).filter((p) => !p.metadata.deletionTimestamp);
    const placed = await until('two replicas Running, one Pending', replicas, (ps) => ps.length === 3 && ps.filter((p) => p.status.phase === 'Running').length === 2, 60_000);
    assert.deepEqual(placed.filter((p) => p.spec.nodeName).map((p) => p.spec.nodeName).sort(), nodes.map((n) => n.metadata.name).sort());
    const pending = placed.find((p) => !p.spec.nodeName)!.metadata.name;
    const want = "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod..";
    const events = await until('FailedScheduling event', () => kubectlOk(c, ['get', 'events', '--field-selector', `involvedObject.name=${pending},reason=FailedScheduling`, '-o', 'json']), (v) => JSON.parse(v).items.length > 0, 20_000);
    assert.equal(JSON.parse(events).items[0].message, want);
    assert.match(kubectlOk(c, ['describe', 'pod', pending]), /Warning\s+FailedScheduling\s+.*0\/2 nodes are available: 2 node\(s\) didn't match pod anti-affinity rules\./);
    // kubectl sums the requests of the pods bound to a node against its allocatable.
    assert.match(kubectlOk(c, ['describe', 'node', nodes[0].metadata.name]), /Allocated resources:[\s\S]*cpu\s+10m \(\d+%\)[\s\S]*memory\s+16Mi \(\d+%\)/);
    const cond = JSON.parse(kubectlOk(c, ['get', 'pod', pending, '-o', 'json'])).status.conditions.find((x: any) => x.type === 'PodScheduled');
    assert.deepEqual([cond.status, cond.reason, cond.message], ['False', 'Unschedulable', want]);
    kubectlOk(c, ['delete', 'deployment', 'one-per-node', '--wait=false']);
  });
});
