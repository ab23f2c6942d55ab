// Several machines, as the README's "Several machines" section runs them: a 3-member etcd cluster
// (Debian's etcd, on free loopback ports), two `kubesvc server` processes on it — the second joined
// with the first one's token and nothing else — and two `kubesvc agent` processes joined with that
// token, each through a different server. Every process is a real one, every address inside
// 127.0.0.0/8 (one machine's loopback stands for the network; netns mode is what models machines'
// own kernels). Checked as a user would: the CA reaching the second server through the datastore,
// 200 Services through both servers, a Service answered by pods on both nodes, logs, exec and
// port-forward through either server, an etcd member killed, the leading server killed (kill -9),
// and a node's agent killed and started again.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { EtcdServer, findEtcd, freePort } from '../storage/etcd-server.js';
import { httpGet, killLeftoverContainers, kubectl, kubectlBin, kubectlOk, kubesvcBin, planArgs, request, tempDir, until } from './harness.js';
import { KubesvcProcess as Proc } from '../support/kubesvc-process.js';
import { webPart } from './web-parts.js';

const etcdBinary = findEtcd();
const skip = etcdBinary ? false : 'etcd is not installed (Debian: etcd-server)';

/** Short timings, so failures are handled within the test's time (upstream: 15 s / 10 s / 2 s, 50 s, 300 s). */
const gracePeriodS = 12;
const controlPlaneFlags = [
  '--leader-elect-lease-duration', '4s',
  '--leader-elect-renew-deadline', '3s',
  '--leader-elect-retry-period', '500ms',
  '--node-monitor-grace-period', `${gracePeriodS}s`,
  '--node-monitor-period', '500ms',
  '--default-not-ready-toleration-seconds', '1',
  '--default-unreachable-toleration-seconds', '1',
];

describe('several machines: two servers on a 3-member etcd, two agents', { skip }, () => {
  const { plan } = planArgs();
  const dir = tempDir('kubesvc-machines-');
  let members: EtcdServer[] = [];
  let datastore = '';
  const ip = { a: `${plan.podPrefix}251.1`, b: `${plan.podPrefix}251.2`, m1: `${plan.podPrefix}250.1`, m2: `${plan.podPrefix}250.2` };
  const servers: Record<'a' | 'b', { proc?: Proc; dataDir: string; port: number; url: string; kubeconfig: string }> = {
    a: { dataDir: join(dir, 'server-a'), port: 0, url: '', kubeconfig: join(dir, 'server-a', 'kubeconfig.yaml') },
    b: { dataDir: join(dir, 'server-b'), port: 0, url: '', kubeconfig: join(dir, 'server-b', 'kubeconfig.yaml') },
  };
  const agents: Record<'m1' | 'm2', { proc?: Proc; args: string[] }> = { m1: { args: [] }, m2: { args: [] } };
  const kc = (s: 'a' | 'b') => ({ kubeconfig: servers[s].kubeconfig, dataDir: dir });
  const api = (s: 'a' | 'b') => ({ kubeconfig: servers[s].kubeconfig, url: servers[s].url });
  const common = () => ['--datastore', datastore, '--service-cidr', plan.serviceCIDR, ...controlPlaneFlags];
  let caHash = '';

  const startServer = async (s: 'a' | 'b', extra: string[]) => {
    const server = servers[s];
    server.proc = new Proc(`server ${s}`, ['server', ...extra, '--data-dir', server.dataDir, '--api-port', String(server.port), '--bind-address', ip[s], '--advertise-address', ip[s], ...common()]);
    const m = await server.proc.waitFor(/--ca-cert-hash (sha256:[0-9a-f]{64})/);
    caHash = m[1]!;
  };
  const startAgent = async (node: 'm1' | 'm2') => {
    agents[node].proc = new Proc(`agent ${node}`, ['agent', ...agents[node].args]);
    await agents[node].proc.waitFor(/joined .* and is running/);
  };

  before(async () => {
    members = await EtcdServer.startCluster(etcdBinary!, (name) => join(dir, 'etcd', name), 3);
    datastore = `etcd://${members.map((m) => m.endpoint).join(',')}`;
    for (const s of ['a', 'b'] as const) {
      servers[s].port = await freePort(ip[s]);
      servers[s].url = `https://${ip[s]}:${servers[s].port}`;
    }
    await startServer('a', ['--cluster-init']);
    await startServer('b', ['--server', servers.a.url, '--token-file', join(servers.a.dataDir, 'token')]);
  });

  after(async () => {
    for (const p of [agents.m1.proc, agents.m2.proc, servers.a.proc, servers.b.proc]) await p?.signal('SIGTERM').catch(() => undefined);
    for (const m of members) await m.stop().catch(() => undefined);
    // An agent killed by a test that then failed leaves its pods' processes: they end here.
    killLeftoverContainers(dir);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the second server joined with the token and the datastore alone: same CA, both in the kubernetes endpoints', async () => {
    for (const f of ['ca.crt', 'ca.key', 'sa.key']) {
      assert.equal(readFileSync(join(servers.b.dataDir, 'pki', f), 'utf8'), readFileSync(join(servers.a.dataDir, 'pki', f), 'utf8'), f);
    }
    assert.equal(readFileSync(join(servers.b.dataDir, 'token'), 'utf8'), readFileSync(join(servers.a.dataDir, 'token'), 'utf8'));
    for (const s of ['a', 'b'] as const) {
      await until(
        `server ${s} to list both servers in the kubernetes endpoints`,
        () => kubectl(kc(s), ['get', 'endpoints', 'kubernetes', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']).stdout,
        (out) => out.split(' ').includes(ip.a) && out.split(' ').includes(ip.b),
      );
    }
    // The server token is also a bootstrap token, so agents join with it.
    const id = readFileSync(join(servers.a.dataDir, 'token'), 'utf8').trim().split('.')[0]!;
    assert.match(kubectlOk(kc('b'), ['get', 'secret', '-n', 'kube-system', `bootstrap-token-${id}`, '-o', 'jsonpath={.type}']), /^bootstrap.kubernetes.io\/token$/);
  });

  it('refuses a server with a wrong token, or a second --cluster-init on the same datastore, and says why', () => {
    const run = (args: string[]) => spawnSync(process.execPath, [kubesvcBin, 'server', ...args, '--api-port', '0', '--bind-address', ip.b, '--advertise-address', ip.b, ...common()], { encoding: 'utf8', timeout: 30_000 });
    const wrong = run(['--server', servers.a.url, '--token', 'abcdef.0123456789abcdef', '--data-dir', join(dir, 'wrong')]);
    assert.equal(wrong.status, 2, wrong.stderr);
    assert.match(wrong.stderr, /holds no cluster for this token: the first server must run with --cluster-init on the same --datastore/);
    const second = run(['--cluster-init', '--data-dir', join(dir, 'second')]);
    assert.equal(second.status, 2, second.stderr);
    assert.match(second.stderr, /already holds a cluster made with another token: join it with --server URL and its token/);
  });

  it('200 NodePort Services created concurrently through both servers get 200 distinct ClusterIPs and NodePorts', async () => {
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        request(api(i % 2 ? 'b' : 'a'), 'POST', '/api/v1/namespaces/default/services', JSON.stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: `many-${i}` },
          spec: { type: 'NodePort', selector: { app: 'nothing' }, ports: [{ port: 80 }] },
        })),
      ),
    );
    for (const r of results) assert.equal(r.status, 201, r.body);
    const ips = new Set(results.map((r) => r.json().spec.clusterIP));
    const ports = new Set(results.map((r) => r.json().spec.ports[0].nodePort));
    assert.equal(ips.size, 200);
    assert.equal(ports.size, 200);
    // Gone again before a node's kube-proxy would open 200 node ports on this shared machine.
    const deleted = await Promise.all(results.map((r, i) => request(api(i % 2 ? 'a' : 'b'), 'DELETE', `/api/v1/namespaces/default/services/many-${i}`)));
    for (const d of deleted) assert.equal(d.status, 200, d.body);
  });

  it('two agents join with the token, each through another server, and their Nodes are Ready', async () => {
    const token = join(servers.a.dataDir, 'token');
    const node = (n: 'm1' | 'm2', via: 'a' | 'b', extra: string[]) => [
      '--server', servers[via].url, '--token-file', token, '--ca-cert-hash', caHash,
      '--node-name', n, '--node-ip', ip[n], '--pod-cidr', `${plan.podPrefix}${n === 'm1' ? 1 : 2}.0/24`,
      '--data-dir', join(dir, `agent-${n}`), '--kubelet-port', '0', ...extra,
    ];
    agents.m1.args = node('m1', 'a', []);
    // One machine's loopback holds one kube-proxy's ClusterIPs: the second node runs none.
    agents.m2.args = node('m2', 'b', ['--disable-kube-proxy']);
    await Promise.all([startAgent('m1'), startAgent('m2')]);
    await until(
      'both Nodes Ready',
      () => kubectl(kc('a'), ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}']).stdout,
      (out) => out.includes('m1=True') && out.includes('m2=True'),
    );
  });

  const deployment = webPart;
  const podOn = (node: string, part: string) =>
    kubectl(kc('a'), ['get', 'pods', '-l', `part=${part}`, '--field-selector', `spec.nodeName=${node},status.phase=Running`, '-o', 'jsonpath={.items[*].metadata.name}']).stdout.trim();

  it('a Service created through one server is answered by pods on both nodes, through the other', async () => {
    // web-1 must run on m1; web-2 prefers m2 but may move (the node failure below moves it).
    kubectlOk(kc('a'), ['apply', '-f', '-'], deployment('web-1', '      nodeSelector: {kubernetes.io/hostname: m1}'));
    kubectlOk(kc('b'), ['apply', '-f', '-'], deployment('web-2', `      affinity:
        nodeAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            preference: {matchExpressions: [{key: kubernetes.io/hostname, operator: In, values: [m2]}]}`));
    kubectlOk(kc('b'), ['apply', '-f', '-'], `apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`);
    const p1 = await until('web-1 running on m1', () => podOn('m1', 'web-1'), (n) => n !== '');
    const p2 = await until('web-2 running on m2', () => podOn('m2', 'web-2'), (n) => n !== '');
    const clusterIP = kubectlOk(kc('a'), ['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    const seen = new Set<string>();
    await until('answers from the pods of both nodes', async () => {
      seen.add(await httpGet(clusterIP, 80));
      return [...seen];
    }, (s) => s.includes(p1) && s.includes(p2), 30_000);
  });

  it('kubectl logs, exec, port-forward, pods/proxy and top reach pods on both nodes through either server', async () => {
    for (const s of ['a', 'b'] as const) {
      for (const [node, part] of [['m1', 'web-1'], ['m2', 'web-2']] as const) {
        const pod = podOn(node, part);
        assert.match(kubectlOk(kc(s), ['logs', pod]), /Serving on port 8080/, `logs of ${pod} through server ${s}`);
        assert.equal(kubectlOk(kc(s), ['exec', pod, '--', 'echo', `hello from ${node}`]).trim(), `hello from ${node}`);
        // The API server's pods proxy dials the pod itself, on its agent's machine.
        assert.equal(kubectlOk(kc(s), ['get', '--raw', `/api/v1/namespaces/default/pods/${pod}:8080/proxy/`]).trim(), pod, `pods/proxy of ${pod} through server ${s}`);
      }
      // kubectl top: each server reads both agents' kubelets.
      const top = kubectlOk(kc(s), ['top', 'pod', '-l', 'app=web', '--no-headers']).trim().split('\n').map((l) => l.split(/\s+/)[0]);
      assert.deepEqual(top.sort(), [podOn('m1', 'web-1'), podOn('m2', 'web-2')].sort(), `kubectl top through server ${s}`);
    }
    for (const [s, node, part] of [['a', 'm2', 'web-2'], ['b', 'm1', 'web-1']] as const) {
      const pod = podOn(node, part);
      const pf = spawn(kubectlBin, ['port-forward', `pod/${pod}`, ':8080'], { env: { ...process.env, KUBECONFIG: servers[s].kubeconfig, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
      try {
        let out = '';
        pf.stdout!.on('data', (d) => (out += d));
        const port = await until('port-forward to listen', () => /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out)?.[1], (p) => p !== undefined, 15_000);
        assert.equal(await httpGet('127.0.0.1', Number(port)), pod);
      } finally {
        pf.kill('SIGTERM');
      }
    }
  });

  it('with one etcd member killed, writes through both servers go on', async () => {
    await members[2]!.kill();
    // The first write may wait for etcd to elect a leader if the killed member led.
    for (const s of ['a', 'b'] as const) {
      await until(`a write through server ${s}`, () => kubectl(kc(s), ['create', 'configmap', `after-etcd-${s}`, '--from-literal=k=v']).code, (code) => code === 0, 15_000);
    }
    for (let i = 0; i < 10; i++) kubectlOk(kc(i % 2 ? 'b' : 'a'), ['create', 'configmap', `write-${i}`, '--from-literal=k=v']);
    assert.equal(kubectlOk(kc('b'), ['get', 'configmap', 'write-0', 'after-etcd-a', '-o', 'name']).trim().split('\n').length, 2);
  });

  it('kill -9 of the leading server: the other takes the controllers over within 20 s and kubectl through it never fails', async (t) => {
    const holder = kubectlOk(kc('a'), ['get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'jsonpath={.spec.holderIdentity}']).trim();
    const leader = (['a', 'b'] as const).find((s) => servers[s].proc!.out.includes(`kube-controller-manager: leading as ${holder}`));
    assert.ok(leader, `no server says it leads as ${holder}`);
    const other = leader === 'a' ? 'b' : 'a';
    const killedAt = Date.now();
    await servers[leader].proc!.signal('SIGKILL');
    // kubectl through the survivor, every 200 ms while the controllers move.
    let polls = 0;
    const failures: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling && polls < 300) {
        polls++;
        try {
          await promisify(execFile)(kubectlBin, ['get', 'svc', 'web', '-o', 'name'], { env: { ...process.env, KUBECONFIG: servers[other].kubeconfig, HOME: dir }, timeout: 10_000 });
        } catch (e) {
          failures.push(String((e as { stderr?: string }).stderr ?? e));
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      kubectlOk(kc(other), ['create', 'deployment', 'after-failover', '--image=registry.k8s.io/e2e-test-images/agnhost:2.39', '--', '/agnhost', 'serve-hostname']);
      await until(
        'a Ready pod of a Deployment created after the failover',
        () => kubectl(kc(other), ['get', 'deployment', 'after-failover', '-o', 'jsonpath={.status.readyReplicas}']).stdout,
        (v) => v === '1',
        20_000 - (Date.now() - killedAt),
      );
      t.diagnostic(`failover: a new Deployment Ready ${Date.now() - killedAt} ms after kill -9 of the leader`);
      const newHolder = kubectlOk(kc(other), ['get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'jsonpath={.spec.holderIdentity}']).trim();
      // Its log line may still be on its way through the pipe (this process was busy running kubectl).
      await until('the survivor to say it leads', () => servers[other].proc!.out.includes(`kube-controller-manager: leading as ${newHolder}`), (x) => x, 5000);
    } finally {
      polling = false;
      await poller;
    }
    assert.deepEqual(failures, [], `kubectl through server ${other} failed ${failures.length} of ${polls} times`);
    // Both nodes stay Ready: the agent that joined through the dead server moved to the other.
    await new Promise((r) => setTimeout(r, 1000));
    const ready = kubectl(kc(other), ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status} {end}']).stdout;
    assert.match(ready, /m1=True/);
    assert.match(ready, /m2=True/);
    // Start it again, so the tests below have two servers.
    await startServer(leader, []);
  });

  it('kill -9 of an agent: its pods leave the Service within the grace period + 1 s, traffic never reaches them after, replacements run on the other node, and a restart runs nothing twice', async (t) => {
    const clusterIP = kubectlOk(kc('a'), ['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    const p2 = podOn('m2', 'web-2');
    assert.ok(p2, 'web-2 runs on m2');
    const p2IP = kubectlOk(kc('a'), ['get', 'pod', p2, '-o', 'jsonpath={.status.podIP}']).trim();
    const killedAt = Date.now();
    await agents.m2.proc!.signal('SIGKILL');
    // The grace period counts from the node's last heartbeat (its Lease, renewed every 10 s).
    // A controller manager that took over after that heartbeat counts from when it first saw the node,
    // as upstream's node lifecycle controller does (the test above moved the leadership).
    const renewed = Date.parse(kubectlOk(kc('a'), ['get', 'lease', '-n', 'kube-node-lease', 'm2', '-o', 'jsonpath={.spec.renewTime}']));
    const leading = Date.parse(kubectlOk(kc('a'), ['get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'jsonpath={.spec.acquireTime}']));
    const lastHeartbeat = Math.max(renewed, Number.isNaN(leading) ? 0 : leading);
    const readyIPs = () => kubectl(kc('b'), ['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]} {end}']).stdout;
    // When each look began, and the last that still found the pod: it left after that one began.
    let lookStarted = 0;
    let stillThereAt = killedAt;
    await until(
      `${p2IP} to leave the web EndpointSlice`,
      () => {
        lookStarted = Date.now();
        return readyIPs();
      },
      (out) => {
        const there = out.split(' ').includes(p2IP);
        if (there) stillThereAt = lookStarted;
        return !there;
      },
      (gracePeriodS + 10) * 1000,
    );
    t.diagnostic(`node death: the dead node's pod left the EndpointSlice ${Date.now() - killedAt} ms after kill -9, ${Date.now() - lastHeartbeat} ms after its last heartbeat (grace period ${gracePeriodS} s)`);
    // Still there more than grace + 1 s after the last heartbeat would be too late (kubectl's own time aside).
    assert.ok(stillThereAt - lastHeartbeat <= (gracePeriodS + 1) * 1000, `still in the EndpointSlice ${stillThereAt - lastHeartbeat} ms after the last heartbeat`);
    // After that no request goes to the dead node's pod (the proxy has had time to follow).
    await new Promise((r) => setTimeout(r, 500));
    for (let i = 0; i < 20; i++) {
      const answer = await httpGet(clusterIP, 80);
      assert.ok(!answer.startsWith('error:'), `request ${i}: ${answer}`);
      assert.notEqual(answer, p2);
    }
    // The ReplicaSet's replacement runs on m1, once the eviction has deleted the pod.
    const replacement = await until('a web-2 pod running on m1', () => podOn('m1', 'web-2'), (n) => n !== '', 30_000);
    await until('the replacement Ready', () => kubectl(kc('a'), ['get', 'pod', replacement, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']).stdout, (s) => s === 'True');
    // The agent comes back without a token: the evicted pod is not run again, nothing runs twice.
    await startAgent('m2');
    await until('the evicted pod gone from the API', () => kubectl(kc('a'), ['get', 'pod', p2, '-o', 'name']).code, (code) => code !== 0, 30_000);
    const pods = kubectlOk(kc('a'), ['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name}@{.spec.nodeName} {end}']).trim().split(' ');
    assert.equal(pods.length, 2, pods.join(' '));
    assert.ok(!pods.some((p) => p.startsWith(`${p2}@`)), pods.join(' '));
  });
});
