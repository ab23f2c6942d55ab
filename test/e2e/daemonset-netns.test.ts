// A DaemonSet across two nodes: `kubesvc up --network netns --nodes 2` as root, kubectl against it.
// One pod per node, pinned by node affinity and bound there by the scheduler; a rolling image
// update; then a nodeSelector that excludes the second node takes its pod away and leaves the
// first. kubesvc runs inside a namespace this test creates, as netns-mode.test.ts does.
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
});
