// netns mode after `kill -9` of kubesvc: its pods keep running in their namespaces and keep
// answering on their pod IPs, and the restarted cluster takes them back as a restarted kubelet with
// a CNI plugin keeps its pods' sandboxes — same namespaces, IPs and processes, no restarts, logs
// that go on, the ClusterIP answering. A pod that died meanwhile is restarted in its sandbox; a
// sandbox no pod claims goes; a start that is not the same cluster clears everything and says why;
// `kubesvc down` then leaves nothing. kubesvc runs inside a namespace this test creates (its
// "host"), never on the machine's own interfaces.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { kubectlOk, kubesvcBin, startCluster, tempDir, until, type Cluster } from './harness.js';
import { curl, inNs, lines, netnsSkipReason, run } from './netns-tools.js';
import { manifest, netexecDeployment, netexecPod, netexecService } from './netexec.js';
import { assertLogGoesOn, containerPids } from './pod-pids.js';

const skip = netnsSkipReason();

/** The network namespace a process is in, as its inode number. */
const netnsOfPid = (pid: number) => readlinkSync(`/proc/${pid}/ns/net`).replace(/^net:\[(\d+)\]$/, '$1');
const netnsInode = (name: string) => String(statSync(`/run/netns/${name}`).ino);
/** The PIDs that still name a running process (a zombie waiting for init is not). */
function alive(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat[stat.lastIndexOf(')') + 2] !== 'Z';
    } catch {
      return false;
    }
  });
}

describe('netns mode: adopting pods after kill -9 of kubesvc', { skip, timeout: 240_000 }, () => {
  const id = `kst${(process.pid % 900) + 100}a`;
  const hostNs = `${id}-host`;
  const node1 = `${id}-node-1`;
  const node2 = `${id}-node-2`;
  const victim = `${id}-victim`;
  // A sandbox an earlier run left for a pod that no longer exists (deleted while kubesvc was down).
  const orphanNs = `${id}-pod-${'0a'.repeat(16)}`;
  const dataDir = tempDir();
  const otherDataDir = tempDir();
  let c: Cluster | undefined;
  let orphanPid: number | undefined;
  const ours = () => lines(run(['ip', 'netns', 'list']).stdout).map((l) => l.split(/\s+/)[0]!).filter((n) => n.startsWith(`${id}-node-`) || n.startsWith(`${id}-pod-`));
  // Without the ingress controller: the counts below are of this test's own pods.
  const start = (dir: string) => startCluster({ netns: hostNs, dataDir: dir, timeoutMs: 30_000, args: ['--network', 'netns', '--nodes', '2', '--netns-prefix', id, '--disable', 'ingress'] });
  const pods = () => JSON.parse(kubectlOk(c!, ['get', 'pods', '-o', 'json'])).items as any[];
  const ready = (p: any) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True');
  const podNs = (p: any) => `${id}-pod-${(p.metadata.uid as string).replace(/-/g, '')}`;

  before(() => {
    run(['ip', 'netns', 'del', hostNs]);
    assert.equal(run(['ip', 'netns', 'add', hostNs]).code, 0);
    assert.equal(inNs(hostNs, ['ip', 'link', 'set', 'lo', 'up']).code, 0);
  });
  after(async () => {
    await c?.stop();
    if (orphanPid) run(['kill', '-KILL', String(orphanPid)]);
    // Whatever a failed run left: `down` by exact name, then the test's own namespace.
    inNs(hostNs, [process.execPath, kubesvcBin, 'down', '--prefix', id, '--force']);
    for (const ns of [...ours(), hostNs]) run(['ip', 'netns', 'del', ns]);
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(otherDataDir, { recursive: true, force: true });
  });

  it('keeps the pods answering while kubesvc is down, adopts them on restart, restarts one that died, and `down` removes everything', async () => {
    c = await start(dataDir);
    kubectlOk(c, ['apply', '-f', '-'], manifest(netexecDeployment('web', 2, { udp: false }), netexecService('web')));
    // The scheduler spreads the two web pods over the two nodes before the third pod is there.
    await until('2 ready web pods', pods, (ps) => ps.length === 2 && ps.every(ready), 60_000);
    kubectlOk(c, ['apply', '-f', '-'], manifest(netexecPod(victim, node2, { udp: false })));
    const before = await until('3 ready pods', pods, (ps) => ps.length === 3 && ps.every(ready), 60_000);
    const web = before.filter((p) => p.metadata.labels?.app === 'web');
    assert.deepEqual(web.map((p) => p.spec.nodeName).sort(), [node1, node2], 'one web pod on each node');
    const pids = new Map(before.map((p) => [p.metadata.name as string, containerPids(p.metadata.name)]));
    for (const p of before) {
      const list = pids.get(p.metadata.name)!;
      assert.equal(list.length, 1, `pod ${p.metadata.name} has one container process`);
      assert.equal(netnsOfPid(list[0]!), netnsInode(podNs(p)), `pod ${p.metadata.name} runs in its own namespace`);
    }
    for (const p of web) assert.equal(curl(hostNs, `http://${p.status.podIP}:8080/echo?msg=before-kill`), 'before-kill');
    const clusterIP = JSON.parse(kubectlOk(c, ['get', 'svc', 'web', '-o', 'json'])).spec.clusterIP;

    c.proc.kill('SIGKILL');
    await c.stop();
    // kubesvc is gone; its pods go on answering on their IPs through kubesvc0 and their nodes.
    for (let i = 0; i < 3; i++) {
      for (const p of web) assert.equal(curl(hostNs, `http://${p.status.podIP}:8080/echo?msg=while-down-${i}`), `while-down-${i}`, `pod ${p.metadata.name} answers while kubesvc is down`);
    }
    for (const [name, list] of pids) assert.deepEqual(containerPids(name), list, `pod ${name} still runs`);
    // One pod dies while nobody watches; another's sandbox is left with no pod at all.
    run(['kill', '-KILL', String(pids.get(victim)![0])]);
    await until('the victim to be gone', () => alive(pids.get(victim)!), (l) => l.length === 0, 5_000);
    assert.equal(run(['ip', 'netns', 'add', orphanNs]).code, 0);
    const orphan = spawn('ip', ['netns', 'exec', orphanNs, 'sleep', '600'], { detached: true, stdio: 'ignore' });
    orphan.unref();
    orphanPid = orphan.pid;
    await until('the orphan\'s process in its namespace', () => run(['ip', 'netns', 'pids', orphanNs]).stdout, (s) => s !== '', 5_000);

    c = await start(dataDir);
    assert.match(c.stderr() + c.stdout(), /kept the network of an earlier run for its pods: bridge kubesvc0, 2 node namespace\(s\), 4 pod namespace\(s\) \(3 with processes still running\)/);
    const afterPods = await until(
      'the pods to run again',
      pods,
      (ps) => ps.length === 3 && ps.every(ready) && ps.find((p) => p.metadata.name === victim)?.status.containerStatuses[0].restartCount === 1,
      60_000,
    );
    for (const p of afterPods) {
      const name = p.metadata.name as string;
      const was = before.find((b) => b.metadata.name === name);
      assert.ok(was, `pod ${name} existed before (no new pods)`);
      assert.equal(p.metadata.uid, was.metadata.uid);
      assert.equal(p.status.podIP, was.status.podIP, `pod ${name} keeps its IP`);
      const now = containerPids(name);
      assert.equal(netnsOfPid(now[0]!), netnsInode(podNs(p)), `pod ${name} runs in its namespace`);
      const cs = p.status.containerStatuses[0];
      if (name === victim) {
        // Restarted in the sandbox it had: same namespace and IP, a new process.
        assert.notDeepEqual(now, pids.get(name));
        assert.equal(cs.lastState.terminated?.exitCode, 137);
        continue;
      }
      assert.deepEqual(now, pids.get(name), `pod ${name} keeps its process`);
      assert.equal(cs.restartCount, 0, `pod ${name}: RESTARTS 0`);
      assert.equal(cs.containerID, was.status.containerStatuses[0].containerID, `pod ${name}: the same container`);
      assert.equal(cs.state.running.startedAt, was.status.containerStatuses[0].state.running.startedAt);
    }
    // The sandbox nobody claimed is gone, with its process.
    assert.ok(!ours().includes(orphanNs), 'the orphaned pod namespace is removed');
    await until('the orphan\'s process ended', () => alive([orphanPid!]), (l) => l.length === 0, 5_000);
    orphanPid = undefined;

    // The ClusterIP answers from the adopted pods, from the host (through node 1) and from node 2.
    const names = web.map((p) => p.metadata.name as string);
    assert.ok(names.includes(await until('the ClusterIP from the host', () => curl(hostNs, `http://${clusterIP}/hostname`), (r) => names.includes(r), 10_000)));
    assert.ok(names.includes(curl(node2, `http://${clusterIP}/hostname`)));
    assert.equal(curl(hostNs, `http://${before.find((p) => p.metadata.name === victim).status.podIP}:8080/hostname`), victim);

    // One log per container: lines from before the kill, while kubesvc was down, and after.
    for (const p of web) assert.equal(curl(hostNs, `http://${p.status.podIP}:8080/echo?msg=after-restart`), 'after-restart');
    for (const p of web) {
      const logs = await until(`the logs of ${p.metadata.name}`, () => kubectlOk(c!, ['logs', p.metadata.name]), (l) => l.includes('msg=after-restart'), 10_000);
      assertLogGoesOn(logs);
    }

    // Killed again, and started as another cluster (another data dir): nothing of the first is
    // adopted, all of it is cleared, and the log says why.
    c.proc.kill('SIGKILL');
    await c.stop();
    const adopted = [...pids.values()].flat().filter((pid) => alive([pid]).length);
    assert.equal(adopted.length, 2, 'the adopted pods outlive the second kill -9');
    c = await start(otherDataDir);
    assert.match(c.stderr() + c.stdout(), new RegExp(`removed \\d+ leftover\\(s\\) of an earlier run \\(\\d+ namespaces, \\d+ pod processes ended\\) instead of adopting its pods: it kept its pods' state in ${dataDir}, this run uses ${otherDataDir}`));
    await until('the first cluster\'s pods ended', () => alive(adopted), (l) => l.length === 0, 5_000);
    assert.deepEqual(ours().filter((n) => n.includes('-pod-')), [], 'no pod namespace of the first cluster is left');

    // `kubesvc down` after a last kill -9 leaves nothing: no namespace, no link but lo in the host.
    c.proc.kill('SIGKILL');
    await c.stop();
    c = undefined;
    const down = inNs(hostNs, [process.execPath, kubesvcBin, 'down', '--prefix', id]);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, new RegExp(`removed record /run/kubesvc/prefix-${id}\\.layout\\.json`));
    assert.deepEqual(ours(), []);
    const links = lines(inNs(hostNs, ['ip', '-o', 'link', 'show']).stdout).map((l) => l.replace(/^\d+:\s+/, '').split(/[:@]/)[0]);
    assert.deepEqual(links, ['lo']);
    assert.equal(inNs(hostNs, ['ip', 'route', 'show']).stdout, '');
    assert.match(inNs(hostNs, [process.execPath, kubesvcBin, 'down', '--prefix', id]).stdout, /nothing to remove/);
  });
});
