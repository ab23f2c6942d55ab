// After `kill -9` of kubesvc its pods keep running and answering, and the restarted node agent
// adopts them as a restarted kubelet keeps its containers: same processes, no restarts, the same
// IPs, logs from before, during and after, probes that act again. A container whose process died
// meanwhile is restarted; a clean stop still leaves nothing behind.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { startCluster, kubectlOk, tempDir, until, httpGet, type Cluster } from './harness.js';
import { manifest, netexecDeployment, netexecService } from './netexec.js';
import { assertLogGoesOn, containerPids, pidsOfPod } from './pod-pids.js';

/** A shell pod whose liveness probe fails once the file it checks is removed. */
const probed = (marker: string) => `apiVersion: v1
kind: Pod
metadata:
  name: adopt-probed
spec:
  containers:
  - name: app
    image: kubesvc.io/host
    command: ["sh", "-c", "touch ${marker}; echo started; exec sleep 3600"]
    livenessProbe:
      exec:
        command: ["sh", "-c", "test -f ${marker}"]
      periodSeconds: 1
      failureThreshold: 1
      # Upstream's default 1 s: a fresh-clone CI run once saw the first exec after the restart
      # take longer on a loaded machine, and the one allowed failure restarted a healthy container.
      timeoutSeconds: 5
`;

const victim = `apiVersion: v1
kind: Pod
metadata:
  name: adopt-victim
spec:
  containers:
  - name: pause
    image: registry.k8s.io/pause:3.10
`;

function getPods(c: Cluster): any[] {
  return JSON.parse(kubectlOk(c, ['get', 'pods', '-o', 'json'])).items;
}

const running = (p: any) => p.status?.phase === 'Running' && (p.status.containerStatuses ?? []).every((s: any) => s.ready || s.name === 'app');

describe('adopting pods after kill -9 of kubesvc', () => {
  const dataDir = tempDir();
  const marker = `${dataDir}/alive`;
  let c: Cluster | undefined;
  const podNames: string[] = [];
  after(async () => {
    await c?.stop();
    // Whatever a failed assertion left running (a kill -9'd cluster stops nothing itself).
    for (const n of [...podNames, 'adopt-probed', 'adopt-victim']) for (const pid of pidsOfPod(n)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the pods answering while kubesvc is down and adopts them on restart', async () => {
    c = await startCluster({ dataDir });
    kubectlOk(c, ['apply', '-f', '-'], manifest(netexecDeployment('web', 2, { udp: false }), netexecService('web')));
    // The file is there before the container: its first liveness probe may run before its shell
    // has touched it (a run failed on exactly that: restarted at once, exit 143).
    writeFileSync(marker, '');
    kubectlOk(c, ['apply', '-f', '-'], probed(marker));
    kubectlOk(c, ['apply', '-f', '-'], victim);
    const before = await until('the pods to run', () => getPods(c!), (ps) => ps.length === 4 && ps.every(running));
    const web = before.filter((p) => p.metadata.labels?.app === 'web');
    for (const p of web) podNames.push(p.metadata.name);
    const pids = new Map(before.map((p) => [p.metadata.name as string, containerPids(p.metadata.name)]));
    for (const [name, list] of pids) assert.ok(list.length > 0, `pod ${name} has a process`);
    for (const p of web) assert.equal(await httpGet(p.status.podIP, 8080, '/echo?msg=before-kill'), 'before-kill');

    c.proc.kill('SIGKILL');
    await c.stop();
    // With kubesvc gone the pods go on answering on their IPs (each request writes a log line).
    for (let i = 0; i < 3; i++) {
      for (const p of web) assert.equal(await httpGet(p.status.podIP, 8080, `/echo?msg=while-down-${i}`), `while-down-${i}`, `pod ${p.metadata.name} answers while kubesvc is down`);
    }
    // Each container's first process is still there and nothing new started. (The snapshot above
    // may have caught a liveness exec probe of adopt-probed mid-run; no probe runs while kubesvc
    // is down.)
    for (const [name, list] of pids) {
      const now = containerPids(name);
      assert.ok(now.includes(Math.min(...list)) && now.every((p) => list.includes(p)), `pod ${name} still runs: ${JSON.stringify(now)} of ${JSON.stringify(list)}`);
    }
    // This one's main process dies while nobody watches (its sleep lives on in its process group):
    // the restarted agent ends the remnant and restarts the container.
    const victimPids = pidsOfPod('adopt-victim');
    for (const pid of pids.get('adopt-victim')!) process.kill(pid, 'SIGKILL');
    await until('the victim to be gone', () => containerPids('adopt-victim'), (l) => l.length === 0, 5000);

    c = await startCluster({ dataDir, plan: c.plan });
    const afterPods = await until(
      'the pods to run again',
      () => getPods(c!),
      (ps) => ps.length === 4 && ps.every(running) && ps.find((p) => p.metadata.name === 'adopt-victim')?.status.containerStatuses[0].restartCount === 1,
    );
    for (const p of afterPods) {
      const name = p.metadata.name as string;
      const was = before.find((b) => b.metadata.name === name);
      assert.ok(was, `pod ${name} existed before (no new pods)`);
      assert.equal(p.status.podIP, was.status.podIP, `pod ${name} keeps its IP`);
      if (name === 'adopt-victim') {
        assert.equal(p.status.containerStatuses[0].lastState.terminated?.exitCode, 137);
        assert.notDeepEqual(containerPids(name), pids.get(name));
        const stray = pidsOfPod(name).filter((pid) => victimPids.includes(pid));
        assert.deepEqual(stray, [], 'nothing of the dead run is left');
        continue;
      }
      const now = containerPids(name);
      // A snapshot may catch adopt-probed's liveness exec mid-run (before the kill or now): its
      // main process is what must be the same one. The others run no probes.
      if (name === 'adopt-probed') assert.ok(now.includes(Math.min(...pids.get(name)!)), `pod ${name} keeps its main process: ${JSON.stringify(now)} of ${JSON.stringify(pids.get(name))}`);
      else assert.deepEqual(now, pids.get(name), `pod ${name} keeps its processes`);
      const cs = p.status.containerStatuses[0];
      // On failure the events say why it restarted (e.g. an Unhealthy probe and its output).
      const why = () => kubectlOk(c!, ['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'custom-columns=REASON:.reason,MESSAGE:.message']);
      assert.equal(cs.restartCount, 0, cs.restartCount === 0 ? '' : `pod ${name}: RESTARTS 0; last state ${JSON.stringify(cs.lastState)}; events:\n${why()}`);
      assert.equal(cs.containerID, was.status.containerStatuses[0].containerID, `pod ${name}: the same container`);
      assert.equal(cs.state.running.startedAt, was.status.containerStatuses[0].state.running.startedAt);
    }

    // The Service's ClusterIP answers from the adopted pods.
    const svc = JSON.parse(kubectlOk(c, ['get', 'svc', 'web', '-o', 'json']));
    const answer = await until('the ClusterIP to answer', () => httpGet(svc.spec.clusterIP, 80, '/hostname'), (v) => podNames.includes(v));
    assert.ok(podNames.includes(answer));

    // One log per container: lines from before the kill, while kubesvc was down, and after.
    for (const p of web) assert.equal(await httpGet(p.status.podIP, 8080, '/echo?msg=after-restart'), 'after-restart');
    for (const p of web) {
      const logs = await until(`the logs of ${p.metadata.name}`, () => kubectlOk(c!, ['logs', p.metadata.name]), (l) => l.includes('msg=after-restart'), 10_000);
      assertLogGoesOn(logs);
    }
    assert.match(kubectlOk(c, ['logs', 'adopt-probed']), /^started\n/);

    // The adopted container's liveness probe acts again: remove its file and it is restarted.
    rmSync(marker, { force: true });
    const restarted = await until(
      'the liveness probe to restart probed',
      () => getPods(c!).find((p) => p.metadata.name === 'adopt-probed'),
      (p) => (p?.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1,
    );
    assert.ok(restarted.status.containerStatuses[0].lastState.terminated, 'the adopted run is the last state');

    // A clean stop still ends every pod process.
    assert.equal(await c.stop(), 0);
    for (const n of [...podNames, 'adopt-probed', 'adopt-victim']) assert.deepEqual(pidsOfPod(n), [], `pod ${n} left a process behind`);
    c = undefined;
  });
});
