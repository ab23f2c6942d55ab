// Several machines in network namespaces (root): inside a namespace of the test's own, a 3-member
// etcd, the netns layout (bridge kubesvc0 with two server addresses, two node namespaces), two
// `kubesvc server`s on the bridge — the second joined with the first's token and the datastore
// alone — and two `kubesvc agent --network netns` processes, each inside its node's namespace
// ("machine") and joined through a different server over the bridge. Checked from inside the
// namespaces as a user would: Services answer from both nodes with kube-proxy's iptables rules,
// cluster DNS answers through the kube-dns ClusterIP, kubectl logs and exec reach pods on both
// nodes through either server, and a kill -9 of the leading server leaves the nodes and their
// Services working while the other server takes the controllers over.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdServer, findEtcd } from '../storage/etcd-server.js';
import { KubesvcProcess } from '../support/kubesvc-process.js';
import { webPart } from './web-parts.js';
import { kubectl, kubectlOk, nsenterArgv, root, tempDir, until } from './harness.js';
import { curl, inNs, lines, netnsSkipReason, run } from './netns-tools.js';

const etcdBinary = findEtcd();
const skip = netnsSkipReason() || (etcdBinary ? false : 'etcd is not installed (Debian: etcd-server)');

describe('several machines in network namespaces: two servers on a 3-member etcd, two agents in their node namespaces', { skip, timeout: 240_000 }, () => {
  const id = `ksm${(process.pid % 900) + 100}`;
  const hostNs = `${id}-host`;
  const node = (n: number) => `${id}-node-${n}`;
  const dir = tempDir('kubesvc-machines-netns-');
  const ip = { a: '172.30.0.1', b: '172.30.0.2' };
  let members: EtcdServer[] = [];
  let layout: ChildProcess | undefined;
  const servers: Record<'a' | 'b', KubesvcProcess | undefined> = { a: undefined, b: undefined };
  const agents: KubesvcProcess[] = [];
  const dataDir = (s: string) => join(dir, s);
  const kc = (s: 'a' | 'b') => ({ kubeconfig: join(dataDir(`server-${s}`), 'kubeconfig.yaml'), dataDir: dir, wrap: nsenterArgv(hostNs) });
  let datastore = '';
  let caHash = '';
  const timings = ['--leader-elect-lease-duration', '4s', '--leader-elect-renew-deadline', '3s', '--leader-elect-retry-period', '500ms'];

  const startServer = async (s: 'a' | 'b', extra: string[]) => {
    servers[s] = new KubesvcProcess(`server ${s}`, ['server', ...extra, '--data-dir', dataDir(`server-${s}`), '--datastore', datastore, '--bind-address', ip[s], '--advertise-address', ip[s], '--api-port', '6443', ...timings], hostNs);
    caHash = (await servers[s]!.waitFor(/--ca-cert-hash (sha256:[0-9a-f]{64})/))[1]!;
  };

  before(async () => {
    run(['ip', 'netns', 'del', hostNs]);
    assert.equal(run(['ip', 'netns', 'add', hostNs]).code, 0);
    assert.equal(inNs(hostNs, ['ip', 'link', 'set', 'lo', 'up']).code, 0);
    members = await EtcdServer.startCluster(etcdBinary!, (name) => join(dir, 'etcd', name), 3, hostNs);
    datastore = `etcd://${members.map((m) => m.endpoint).join(',')}`;
    layout = spawn('nsenter', [...nsenterArgv(hostNs).slice(1), process.execPath, join(root, 'dist', 'test', 'support', 'netns-layout-cli.js'), '--prefix', id, '--nodes', '2', '--data-dir', dir], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    layout.stdout!.on('data', (d) => (out += d));
    layout.stderr!.on('data', (d) => (out += d));
    await until('the netns layout', () => out, (o) => o.includes('ready') || layout!.exitCode !== null, 30_000);
    assert.match(out, /ready/);
    // The second server's own address on the bridge (inside the test's namespace).
    assert.equal(inNs(hostNs, ['ip', 'addr', 'add', `${ip.b}/24`, 'dev', 'kubesvc0']).code, 0);
    await startServer('a', ['--cluster-init']);
    await startServer('b', ['--server', `https://${ip.a}:6443`, '--token-file', join(dataDir('server-a'), 'token')]);
    const token = join(dataDir('server-a'), 'token');
    for (const [n, via] of [[1, 'a'], [2, 'b']] as const) {
      const agent = new KubesvcProcess(`agent ${n}`, [
        'agent', '--server', `https://${ip[via]}:6443`, '--token-file', token, '--ca-cert-hash', caHash,
        '--node-name', node(n), '--network', 'netns', '--netns-prefix', id, '--proxy-mode', 'iptables', '--data-dir', dataDir(`agent-${n}`),
      ], node(n));
      agents.push(agent);
    }
    await Promise.all(agents.map((a) => a.waitFor(/joined .* and is running/)));
  });

  after(async () => {
    for (const p of [...agents, servers.a, servers.b]) await p?.signal('SIGTERM').catch(() => undefined);
    if (layout && layout.exitCode === null) {
      const exited = new Promise((r) => layout!.once('exit', r));
      layout.stdin!.end();
      await exited;
    }
    for (const m of members) await m.stop().catch(() => undefined);
    for (const ns of lines(run(['ip', 'netns', 'list']).stdout).map((l) => l.split(/\s+/)[0]!)) {
      if (ns === hostNs || ns.startsWith(`${id}-`)) run(['ip', 'netns', 'del', ns]);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const deployment = (name: string, n: number) => webPart(name, `      nodeSelector: {kubernetes.io/hostname: ${node(n)}}`);
  const podOn = (n: number) => kubectl(kc('a'), ['get', 'pods', '-l', `part=web-${n}`, '--field-selector', `spec.nodeName=${node(n)},status.phase=Running`, '-o', 'jsonpath={.items[*].metadata.name}']).stdout.trim();

  it('both nodes are Ready, each agent in its namespace with the kubelet API on its node address', async () => {
    await until(
      'both Nodes Ready',
      () => kubectl(kc('b'), ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}@{.status.addresses[?(@.type=="InternalIP")].address} {end}']).stdout,
      (out) => out.includes(`${node(1)}=True@172.30.0.11`) && out.includes(`${node(2)}=True@172.30.0.12`),
    );
    // The agent's own sockets are in the node's namespace: the kubelet API on the node's address.
    assert.match(inNs(node(1), ['cat', '/proc/net/tcp']).stdout, /0B001EAC:280A 00000000:0000 0A/, 'kubelet API on 172.30.0.11:10250');
    assert.doesNotMatch(inNs(hostNs, ['cat', '/proc/net/tcp']).stdout, /:280A 00000000:0000 0A/, 'nothing on 10250 in the servers\' namespace');
  });

  it('a Service created through one server answers from both nodes with pods on both, and cluster DNS answers through kube-dns', async () => {
    kubectlOk(kc('a'), ['apply', '-f', '-'], deployment('web-1', 1));
    kubectlOk(kc('b'), ['apply', '-f', '-'], deployment('web-2', 2));
    kubectlOk(kc('b'), ['apply', '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n  ports: [{port: 80, targetPort: 8080}]\n');
    const p1 = await until('web-1 on node 1', () => podOn(1), (p) => p !== '', 30_000);
    const p2 = await until('web-2 on node 2', () => podOn(2), (p) => p !== '', 30_000);
    const clusterIP = kubectlOk(kc('a'), ['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    assert.match(clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\./);
    for (const n of [1, 2]) {
      const seen = new Set<string>();
      await until(`answers from both pods, from node ${n}`, () => {
        seen.add(curl(node(n), `http://${clusterIP}/`));
        return [...seen];
      }, (s) => s.includes(p1) && s.includes(p2), 30_000);
    }
    // kube-dns follows both servers (each answers DNS on its address); a query from a node goes through the ClusterIP.
    await until('kube-dns to list both servers', () => kubectl(kc('a'), ['get', 'endpoints', '-n', 'kube-system', 'kube-dns', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']).stdout, (o) => o.includes(ip.a) && o.includes(ip.b));
    const dig = inNs(node(2), ['dig', '+short', '+time=2', '+tries=2', '@10.96.0.10', 'web.default.svc.cluster.local']);
    assert.equal(dig.stdout, clusterIP, dig.stderr);
  });

  it('kubectl logs and exec reach pods on both nodes through either server', () => {
    for (const s of ['a', 'b'] as const) {
      for (const n of [1, 2]) {
        const pod = podOn(n);
        assert.match(kubectlOk(kc(s), ['logs', pod]), /Serving on port 8080/);
        assert.equal(kubectlOk(kc(s), ['exec', pod, '--', 'echo', `hi ${n}`]).trim(), `hi ${n}`);
      }
    }
  });

  it('kill -9 of the leading server: the other takes over, both nodes keep working through it', async () => {
    const holder = kubectlOk(kc('a'), ['get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'jsonpath={.spec.holderIdentity}']).trim();
    const leader = (['a', 'b'] as const).find((s) => servers[s]!.out.includes(`kube-controller-manager: leading as ${holder}`))!;
    assert.ok(leader);
    const other = leader === 'a' ? 'b' : 'a';
    const killedAt = Date.now();
    await servers[leader]!.signal('SIGKILL');
    kubectlOk(kc(other), ['scale', 'deployment', 'web-1', '--replicas', '2']);
    await until('web-1 scaled by the new leader', () => kubectl(kc(other), ['get', 'deployment', 'web-1', '-o', 'jsonpath={.status.readyReplicas}']).stdout, (v) => v === '2', 20_000 - (Date.now() - killedAt));
    // Both agents (one had joined through the dead server) still heartbeat: their Leases move on.
    const renewed = (n: number) => Date.parse(kubectlOk(kc(other), ['get', 'lease', '-n', 'kube-node-lease', node(n), '-o', 'jsonpath={.spec.renewTime}']));
    const before = [renewed(1), renewed(2)];
    await until('both node Leases renewed after the kill', () => [renewed(1), renewed(2)], (t) => t[0]! > before[0]! && t[1]! > before[1]!, 25_000);
    const clusterIP = kubectlOk(kc(other), ['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}']);
    for (const n of [1, 2]) assert.match(curl(node(n), `http://${clusterIP}/`), /^web-/);
    assert.equal(readFileSync(join(dataDir('server-b'), 'pki', 'ca.crt'), 'utf8'), readFileSync(join(dataDir('server-a'), 'pki', 'ca.crt'), 'utf8'));
  });
});
