// Several machines as real processes, for the figures of "several machines" (issue 13):
//  1. NodePort Service creates/s (1,000, 16 keep-alive clients): one `kubesvc server` on SQLite, and
//     two `kubesvc server`s on a 3-member etcd with the clients split between them;
//  2. server failover with upstream's leader-election timings (15 s / 10 s / 2 s): kill -9 of the
//     leading server until the other holds the kube-controller-manager Lease;
//  3. node death: kill -9 of an agent until its pod leaves the Service's EndpointSlice, with a short
//     --node-monitor-grace-period (12 s) and upstream's default (50 s);
//  4. an agent's memory: idle, and running 10 pods.
// Everything on 127.0.0.0/8; processes stopped by PID, data in a temp dir removed at the end.
// Run: npm run build && node dist/bench/several-machines.js [--services 1000] [--clients 16] [--skip-default-grace]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdServer, findEtcd, freePort } from '../test/storage/etcd-server.js';
import { KubesvcProcess } from '../test/support/kubesvc-process.js';
import { call, connect, type Conn } from './https-call.js';
import { nodePortCreates } from './service-creates.js';
import { rssMiB } from './proc-stats.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}
const total = arg('services', 1000);
const clients = arg('clients', 16);
const serviceCIDR = '127.99.0.0/16';
const running: KubesvcProcess[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Server {
  proc: KubesvcProcess;
  url: string;
  kubeconfig: string;
  dataDir: string;
  conn: Conn;
  caHash: string;
}

async function startServer(dir: string, name: string, ip: string, args: string[]): Promise<Server> {
  const dataDir = join(dir, name);
  const port = await freePort(ip);
  const proc = new KubesvcProcess(name, ['server', ...args, '--data-dir', dataDir, '--api-port', String(port), '--bind-address', ip, '--advertise-address', ip, '--service-cidr', serviceCIDR]);
  running.push(proc);
  const m = await proc.waitFor(/--ca-cert-hash (sha256:[0-9a-f]{64})/);
  const url = `https://${ip}:${port}`;
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  return { proc, url, kubeconfig, dataDir, conn: connect(url, kubeconfig, clients), caHash: m[1]! };
}

async function stopAll(): Promise<void> {
  for (const p of running.splice(0).reverse()) await p.signal('SIGTERM').catch(() => undefined);
}

async function getJSON(conn: Conn, path: string): Promise<any> {
  const r = await call(conn, 'GET', path);
  if (r.status !== 200) throw new Error(`GET ${path}: ${r.status} ${r.body}`);
  return JSON.parse(r.body);
}

async function waitUntil<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms: number, everyMs = 50): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined as T);
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

const holder = async (conn: Conn) => (await getJSON(conn, '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager')).spec.holderIdentity as string;

async function failover(dir: string, datastore: string): Promise<void> {
  const a = await startServer(dir, 'failover-a', '127.0.21.3', ['--cluster-init', '--datastore', datastore]);
  const b = await startServer(dir, 'failover-b', '127.0.21.4', ['--server', a.url, '--token-file', join(a.dataDir, 'token'), '--datastore', datastore]);
  const leaderID = await waitUntil('a leader', () => holder(a.conn), (h) => !!h, 30_000);
  const leader = [a, b].find((s) => s.proc.out.includes(`leading as ${leaderID}`))!;
  const other = leader === a ? b : a;
  const t0 = Date.now();
  await leader.proc.signal('SIGKILL');
  await waitUntil('the other server to lead', () => holder(other.conn), (h) => h !== leaderID && other.proc.out.includes(`leading as ${h}`), 60_000, 100);
  console.log(`server failover (upstream timings 15 s / 10 s / 2 s): kill -9 of the leader → the other holds the kube-controller-manager Lease after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await stopAll();
}

async function nodeDeath(dir: string, grace: string): Promise<void> {
  const server = await startServer(dir, `death-${grace}`, '127.0.21.5', ['--cluster-init', '--node-monitor-grace-period', grace, '--node-monitor-period', '1s']);
  const agent = (name: string, ip: string, pods: string, extra: string[]) => {
    const p = new KubesvcProcess(name, ['agent', '--server', server.url, '--token-file', join(server.dataDir, 'token'), '--ca-cert-hash', server.caHash, '--node-name', name, '--node-ip', ip, '--pod-cidr', pods, '--data-dir', join(dir, `${name}-${grace}`), '--kubelet-port', '0', ...extra]);
    running.push(p);
    return p;
  };
  const m1 = agent('bench-m1', '127.0.22.1', '127.246.1.0/24', ['--disable-kube-proxy']);
  const m2 = agent('bench-m2', '127.0.22.2', '127.246.2.0/24', ['--disable-kube-proxy']);
  await Promise.all([m1.waitFor(/and is running/), m2.waitFor(/and is running/)]);
  const idle = rssMiB(m2.proc.pid!);
  const deployment = (name: string, node: string, replicas: number) => JSON.stringify({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      replicas, selector: { matchLabels: { app: 'web', part: name } },
      template: {
        metadata: { labels: { app: 'web', part: name } },
        spec: { nodeSelector: { 'kubernetes.io/hostname': node }, containers: [{ name: 'web', image: 'registry.k8s.io/e2e-test-images/agnhost:2.39', args: ['serve-hostname', '--port', '8080'], readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 } }] },
      },
    },
  });
  for (const [name, node, n] of [['web-1', 'bench-m1', 1], ['web-2', 'bench-m2', 10]] as const) {
    const r = await call(server.conn, 'POST', '/apis/apps/v1/namespaces/default/deployments', deployment(name, node, n));
    if (r.status !== 201) throw new Error(`${r.status} ${r.body}`);
  }
  await call(server.conn, 'POST', '/api/v1/namespaces/default/services', JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] } }));
  const ready = async () => {
    const slices = await getJSON(server.conn, '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dweb');
    return (slices.items as any[]).flatMap((s) => (s.endpoints ?? []) as any[]).filter((e) => e.conditions?.ready && e.nodeName === 'bench-m2').length;
  };
  await waitUntil('10 ready endpoints on bench-m2', ready, (n) => n === 10, 60_000, 200);
  await sleep(2000);
  const busy = rssMiB(m2.proc.pid!);
  console.log(`agent memory (RSS): ${idle.toFixed(0)} MiB idle after joining, ${busy.toFixed(0)} MiB running 10 pods (the pods' own processes not counted)`);
  const t0 = Date.now();
  await m2.signal('SIGKILL');
  await waitUntil("the dead node's endpoints to leave", ready, (n) => n === 0, 120_000, 50);
  console.log(`node death (--node-monitor-grace-period ${grace}, monitor period 1 s): kill -9 of the agent → its 10 pods out of the EndpointSlice after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // Its pods outlived it (as on a machine whose kubelet died): the agent comes back, adopts them,
  // and stops them with everything else.
  const again = agent('bench-m2', '127.0.22.2', '127.246.2.0/24', ['--disable-kube-proxy']);
  await again.waitFor(/and is running/);
  await stopAll();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-bench-machines-'));
  let members: EtcdServer[] = [];
  try {
    const one = await startServer(dir, 'sqlite', '127.0.21.1', ['--cluster-init']);
    await nodePortCreates('one kubesvc server, SQLite', [one.conn], { total, clients, prefix: 'one' });
    await stopAll();
    const binary = findEtcd();
    if (!binary) {
      console.log('etcd is not installed: the runs on etcd are skipped');
    } else {
      members = await EtcdServer.startCluster(binary, (name) => join(dir, 'etcd', name), 3);
      const datastore = `etcd://${members.map((m) => m.endpoint).join(',')}`;
      const a = await startServer(dir, 'etcd-a', '127.0.21.1', ['--cluster-init', '--datastore', datastore]);
      const b = await startServer(dir, 'etcd-b', '127.0.21.2', ['--server', a.url, '--token-file', join(a.dataDir, 'token'), '--datastore', datastore]);
      await nodePortCreates('two kubesvc servers, 3-member etcd, clients split', [a.conn, b.conn], { total, clients, prefix: 'two' });
      await stopAll();
      for (const m of members) await m.stop();
      members = await EtcdServer.startCluster(binary, (name) => join(dir, 'etcd2', name), 3);
      await failover(dir, `etcd://${members.map((m) => m.endpoint).join(',')}`);
    }
    await nodeDeath(dir, '12s');
    if (!process.argv.includes('--skip-default-grace')) await nodeDeath(dir, '50s');
  } finally {
    await stopAll();
    for (const m of members) await m.stop().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
