// Pods as real processes: a failing liveness probe restarts the container, the previous run's
// log stays readable, a restart of kubesvc leaves no orphan, and nothing outlives kubesvc.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startCluster, kubectl, kubectlOk, tempDir, until, type Cluster } from './harness.js';
import { pidsOfPod } from './pod-pids.js';

/** A pod whose liveness probe fails once the file it checks is removed. */
const probed = `apiVersion: v1
kind: Pod
metadata:
  name: probed
spec:
  containers:
  - name: app
    image: kubesvc.io/host
    command: ["sh", "-c", "touch /tmp/kubesvc-alive-$POD_NAME-$POD_IP; echo started; exec sleep 3600"]
    livenessProbe:
      exec:
        command: ["sh", "-c", "test -f /tmp/kubesvc-alive-$POD_NAME-$POD_IP"]
      periodSeconds: 1
      # Two: a probe that runs before the restarted container's shell has touched the file (a
      # loaded machine) must not kill that run too, or its log, read as --previous, is empty.
      failureThreshold: 2
`;

const sleepers = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: sleepers
spec:
  replicas: 2
  selector:
    matchLabels:
      app: sleepers
  template:
    metadata:
      labels:
        app: sleepers
    spec:
      containers:
      - name: pause
        image: registry.k8s.io/pause:3.10
`;

describe('pods as processes', () => {
  const dataDir = tempDir();
  let c: Cluster | undefined;
  after(async () => {
    await c?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('restarts a container whose liveness probe fails, and keeps the previous log', async () => {
    c = await startCluster({ dataDir });
    kubectlOk(c, ['apply', '-f', '-'], probed);
    const ip = await until('the pod to run', () => JSON.parse(kubectlOk(c!, ['get', 'pod', 'probed', '-o', 'json'])), (p) => p.status?.phase === 'Running');
    const podIP = ip.status.podIP as string;
    rmSync(`/tmp/kubesvc-alive-probed-${podIP}`, { force: true });
    const restarted = await until(
      'a restart',
      () => JSON.parse(kubectlOk(c!, ['get', 'pod', 'probed', '-o', 'json'])),
      (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
    );
    assert.ok(restarted.status.containerStatuses[0].lastState.terminated, 'lastState records the killed run');
    const events = kubectlOk(c, ['get', 'events', '--field-selector', 'involvedObject.name=probed', '-o', 'json']);
    const reasons = (JSON.parse(events).items as any[]).map((e) => e.reason);
    assert.ok(reasons.includes('Unhealthy'), `events: ${reasons.join(',')}`);
    assert.ok(reasons.includes('Killing'), `events: ${reasons.join(',')}`);
    assert.match(kubectlOk(c, ['logs', 'probed', '--previous']), /started/);
    rmSync(`/tmp/kubesvc-alive-probed-${podIP}`, { force: true });
    kubectlOk(c, ['delete', 'pod', 'probed', '--grace-period=1']);
  });

  it('adopts its pods after a restart and leaves no process behind when stopped', async () => {
    kubectlOk(c!, ['apply', '-f', '-'], sleepers);
    const before = await until(
      '2 running pods',
      () => JSON.parse(kubectlOk(c!, ['get', 'pods', '-l', 'app=sleepers', '-o', 'json'])).items as any[],
      (p) => p.length === 2 && p.every((x) => x.status?.phase === 'Running'),
    );
    const names = before.map((p) => p.metadata.name as string).sort();
    for (const n of names) assert.ok(pidsOfPod(n).length > 0, `pod ${n} has a process`);
    assert.equal(await c!.stop(), 0);
    for (const n of names) assert.deepEqual(pidsOfPod(n), [], `pod ${n} left a process behind`);

    const plan = c!.plan;
    c = await startCluster({ dataDir, plan });
    const after = await until(
      '2 running pods again',
      () => JSON.parse(kubectlOk(c!, ['get', 'pods', '-l', 'app=sleepers', '-o', 'json'])).items as any[],
      (p) => p.length === 2 && p.every((x) => x.status?.phase === 'Running' && !x.metadata.deletionTimestamp),
    );
    // The same pods (no orphans, no duplicates), each with exactly one process tree.
    assert.deepEqual(after.map((p) => p.metadata.name).sort(), names);
    for (const n of names) assert.ok(pidsOfPod(n).length > 0, `pod ${n} runs again`);
    const r = kubectl(c, ['get', 'deployment', 'sleepers', '-o', 'jsonpath={.status.readyReplicas}']);
    assert.equal(r.stdout, '2');
    assert.equal(await c.stop(), 0);
    for (const n of names) assert.deepEqual(pidsOfPod(n), [], `pod ${n} left a process behind`);
    c = undefined;
  });
});
