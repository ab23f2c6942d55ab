// OCI images run by crun, driven as a user would: kubectl against `kubesvc up` whose agent pulls
// through a test ImagePuller (a busybox root filesystem built offline; the fake is only that
// boundary — crun, overlay bundles, the pod network, the proxy and kubectl are all real).
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { httpGet, kubectl, kubectlOk, startCluster, tempDir, until, type Cluster } from './harness.js';
import { crunAvailable } from '../node/crun/busybox-image.js';
import { busyboxBin, crunContainers, killCrunContainers, webManifest } from './crun-tools.js';

const pod = (c: Cluster, name: string) => JSON.parse(kubectlOk(c, ['get', 'pod', name, '-o', 'json']));
const webPods = (c: Cluster) => JSON.parse(kubectlOk(c, ['get', 'pods', '-l', 'app=web', '-o', 'json'])).items as any[];

const skip = crunAvailable ? false : 'needs root, /usr/bin/crun and /bin/busybox (busybox-static)';

describe('OCI images with crun (loopback network)', { skip }, () => {
  const dataDir = tempDir();
  let c: Cluster | undefined;
  after(async () => {
    await c?.stop();
    killCrunContainers(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs a Deployment of busybox httpd behind a Service: ClusterIP, exec, logs, events, imageID', async () => {
    c = await startCluster({ dataDir, bin: busyboxBin });
    kubectlOk(c, ['apply', '-f', '-'], webManifest('$POD_IP:8080'));
    kubectlOk(c, ['rollout', 'status', 'deployment/web', '--timeout=60s']);
    const pods = webPods(c);
    assert.equal(pods.length, 2);
    const svc = JSON.parse(kubectlOk(c, ['get', 'svc', 'web', '-o', 'json']));
    const names = pods.map((p) => p.metadata.name as string);
    const seen = new Set<string>();
    for (let i = 0; i < 20 && seen.size < 2; i++) seen.add((await httpGet(svc.spec.clusterIP, 80, '/hostname')).trim());
    assert.deepEqual([...seen].sort(), [...names].sort(), 'the ClusterIP reaches both pods, each with its own hostname');

    const name = names[0]!;
    assert.equal(kubectlOk(c, ['exec', name, '--', 'cat', '/etc/hostname']).trim(), name);
    // The container's own root: busybox's /bin/sh, not the machine's.
    assert.match(kubectlOk(c, ['exec', name, '--', 'readlink', '/bin/sh']), /^busybox/);
    const missing = kubectl(c, ['exec', name, '--', 'no-such-command']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /no-such-command/);
    assert.match(kubectlOk(c, ['logs', name]), /^serving\n/);

    const cs = pod(c, name).status.containerStatuses[0];
    assert.match(cs.imageID, /^docker\.io\/library\/busybox@sha256:[0-9a-f]{64}$/);
    assert.equal(cs.ready, true);
    const describe = kubectlOk(c, ['describe', 'pod', name]);
    for (const want of [/Pulled .*(Successfully pulled image "busybox:1.36"|Container image "busybox:1.36" already present on machine)/, /Created .*Created container: httpd/, /Started .*Started container httpd/]) {
      assert.match(describe, want);
    }
  });

  it('restarts a container that exits, keeping the previous log', async () => {
    kubectlOk(c!, ['run', 'exiter', '--image=busybox:1.36', '--command', '--', 'sh', '-c', 'echo run-$RANDOM; sleep 0.3; exit 2']);
    const p = await until('a restart', () => pod(c!, 'exiter'), (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 30_000);
    assert.equal(p.status.containerStatuses[0].lastState.terminated.exitCode, 2);
    assert.match(kubectlOk(c!, ['logs', 'exiter', '--previous']), /^run-\d+\n$/);
    kubectlOk(c!, ['delete', 'pod', 'exiter', '--wait=false']);
  });

  it('a container over its memory limit ends OOMKilled with exit code 137', async () => {
    const manifest = `apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  restartPolicy: Never
  containers:
  - name: hog
    image: busybox:1.36
    command: ["sh", "-c", "exec dd if=/dev/zero of=/dev/null bs=64M count=1"]
    resources:
      limits: {memory: 32Mi, cpu: 500m}
`;
    kubectlOk(c!, ['apply', '-f', '-'], manifest);
    const p = await until('the pod to fail', () => pod(c!, 'hog'), (p) => p.status?.phase === 'Failed', 30_000);
    const t = p.status.containerStatuses[0].state.terminated;
    assert.deepEqual([t.reason, t.exitCode], ['OOMKilled', 137]);
    assert.match(kubectlOk(c!, ['describe', 'pod', 'hog']), /State:\s+Terminated\n\s+Reason:\s+OOMKilled\n\s+Exit Code:\s+137/);
    kubectlOk(c!, ['delete', 'pod', 'hog', '--wait=false']);
  });

  it('a failing pull is ErrImagePull, then ImagePullBackOff; pullPolicy Never is ErrImageNeverPull', async () => {
    kubectlOk(c!, ['run', 'nopull', '--image=127.0.0.1:1/does-not-exist:1']);
    const reasons = new Set<string>();
    await until(
      'ErrImagePull and ImagePullBackOff',
      () => pod(c!, 'nopull'),
      (p) => {
        const r = p.status?.containerStatuses?.[0]?.state?.waiting?.reason;
        if (r) reasons.add(r);
        return reasons.has('ErrImagePull') && reasons.has('ImagePullBackOff');
      },
      20_000,
    );
    const describe = kubectlOk(c!, ['describe', 'pod', 'nopull']);
    assert.match(describe, /Pulling .*Pulling image "127.0.0.1:1\/does-not-exist:1"/);
    assert.match(describe, /Failed .*Failed to pull image "127.0.0.1:1\/does-not-exist:1": dial tcp 127.0.0.1:1: connect: connection refused/);
    assert.match(describe, /Failed .*Error: ErrImagePull/);
    assert.match(describe, /BackOff .*Back-off pulling image "127.0.0.1:1\/does-not-exist:1"/);

    kubectlOk(c!, ['run', 'never', '--image=busybox:never', '--image-pull-policy=Never']);
    const never = await until('ErrImageNeverPull', () => pod(c!, 'never'), (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImageNeverPull');
    assert.equal(never.status.containerStatuses[0].state.waiting.message, 'Container image "busybox:never" is not present with pull policy of Never');
    kubectlOk(c!, ['delete', 'pod', 'nopull', 'never', '--wait=false']);
  });

  it('kill -9 of kubesvc: the containers keep serving and the restarted agent adopts them', async () => {
    const before = webPods(c!);
    const svcIP = JSON.parse(kubectlOk(c!, ['get', 'svc', 'web', '-o', 'json'])).spec.clusterIP as string;
    c!.proc.kill('SIGKILL');
    await c!.stop();
    // No agent, no proxy: each pod still answers on its own IP.
    for (const p of before) assert.equal((await httpGet(p.status.podIP, 8080, '/hostname')).trim(), p.metadata.name);
    c = await startCluster({ dataDir, plan: c!.plan, bin: busyboxBin });
    const again = await until('the pods to be ready again', () => webPods(c!), (ps) => ps.length === 2 && ps.every((p) => p.status?.containerStatuses?.[0]?.ready));
    for (const p of again) {
      const was = before.find((b) => b.metadata.name === p.metadata.name);
      assert.ok(was, 'the same pods');
      const cs = p.status.containerStatuses[0];
      assert.equal(cs.restartCount, 0);
      assert.equal(cs.containerID, was.status.containerStatuses[0].containerID, 'the same container');
    }
    assert.ok(before.map((p) => p.metadata.name).includes((await until('the ClusterIP', () => httpGet(svcIP, 80, '/hostname'), (v) => !!v)).trim()));
    assert.equal(await c!.stop(), 0);
    c = undefined;
    assert.deepEqual(crunContainers(dataDir), [], 'a clean stop ends every container');
  });
});
