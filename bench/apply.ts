// Server-side apply against client-side apply of the same Services on a real `kubesvc up`:
// creates/s and latency percentiles over HTTPS (what each kind of apply sends per object), then
// an update of every Service, then kubectl itself applying a 200-Service file both ways.
// Run: npm run build && node dist/bench/apply.js [--services 200] [--clients 4]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, kubectl, type Cluster } from '../test/e2e/harness.js';
import { concurrently, type Rate } from './concurrent.js';
import { call as httpsCall, connect, type Conn } from './https-call.js';
import { numberArg } from './args.js';

const total = numberArg('services', 200);
const clients = numberArg('clients', 4);

const kubectlAgent = { 'User-Agent': 'kubectl/v1.32.4 (linux/amd64) bench' };
const call = (conn: Conn, method: string, path: string, body?: string, type?: string) =>
  httpsCall(conn, method, path, body, { ...kubectlAgent, ...(type ? { 'Content-Type': type } : {}) });

const NS = '/api/v1/namespaces/default/services';
const service = (name: string, target: number) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels: { app: name } },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: target }, { name: 'metrics', port: 9090 }] },
});
const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';

/** What kubectl sends per object for each kind of apply (create when absent, else update). */
const flows = {
  // One request: the configuration, merged and owned on the server.
  async ssa(conn: Conn, name: string, target: number): Promise<void> {
    const r = await call(conn, 'PATCH', `${NS}/${name}?fieldManager=kubectl&force=false`, JSON.stringify(service(name, target)), 'application/apply-patch+yaml');
    if (r.status !== 200 && r.status !== 201) throw new Error(`apply ${name}: ${r.status} ${r.body}`);
  },
  // A GET, then a POST carrying the last-applied annotation, or a strategic merge patch of the change.
  async csa(conn: Conn, name: string, target: number): Promise<void> {
    const cfg = service(name, target);
    const annotated = { ...cfg, metadata: { ...cfg.metadata, annotations: { [lastApplied]: JSON.stringify(cfg) + '\n' } } };
    const g = await call(conn, 'GET', `${NS}/${name}`);
    if (g.status === 404) {
      const r = await call(conn, 'POST', `${NS}?fieldManager=kubectl-client-side-apply`, JSON.stringify(annotated));
      if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${r.body}`);
      return;
    }
    const patch = { metadata: { annotations: { [lastApplied]: JSON.stringify(cfg) + '\n' } }, spec: { ports: [{ port: 80, targetPort: target }] } };
    const r = await call(conn, 'PATCH', `${NS}/${name}?fieldManager=kubectl-client-side-apply`, JSON.stringify(patch), 'application/strategic-merge-patch+json');
    if (r.status !== 200) throw new Error(`patch ${name}: ${r.status} ${r.body}`);
  },
};

function run(conn: Conn, flow: keyof typeof flows, prefix: string, target: number): Promise<Rate> {
  return concurrently(total, clients, (i) => flows[flow](conn, `${prefix}-${i}`, target));
}

function kubectlFile(c: Cluster, prefix: string, serverSide: boolean): number {
  const docs = Array.from({ length: total }, (_, i) => JSON.stringify(service(`${prefix}-${i}`, 8080))).join('\n');
  const f = join(c.dataDir, `${prefix}.yaml`);
  writeFileSync(f, docs);
  const t0 = performance.now();
  const r = kubectl(c, ['apply', ...(serverSide ? ['--server-side'] : []), '-f', f]);
  if (r.code !== 0) throw new Error(r.stderr);
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const c = await startCluster({ timeoutMs: 60_000 });
  try {
    const conn = connect(c.url, c.kubeconfig, clients);
    const rows: string[] = [];
    const fmt = (r: Rate) => `${r.perSec.toFixed(0)}/s | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms`;
    for (const flow of ['csa', 'ssa'] as const) {
      const create = await run(conn, flow, flow, 8080);
      const update = await run(conn, flow, flow, 8081);
      rows.push(`| ${flow === 'ssa' ? 'server-side' : 'client-side'} create | ${fmt(create)} |`);
      rows.push(`| ${flow === 'ssa' ? 'server-side' : 'client-side'} update (targetPort) | ${fmt(update)} |`);
    }
    const kCsa = kubectlFile(c, 'kcsa', false);
    const kSsa = kubectlFile(c, 'kssa', true);
    console.log(`${total} Services, ${clients} concurrent keep-alive clients\n`);
    console.log('| flow | per second | p50 | p99 |\n|---|---|---|---|');
    for (const r of rows) console.log(r);
    console.log(`\nkubectl apply -f (${total} Services in one file): client-side ${kCsa.toFixed(2)} s, --server-side ${kSsa.toFixed(2)} s`);
    conn.agent.destroy();
  } finally {
    await c.destroy();
  }
}

await main();
