// Custom resource creates/s through HTTP on a real `kubesvc up`: the Gateway API v1.6.1 HTTPRoute
// CRD (89 CEL rules) installed, then HTTPRoutes POSTed as kubectl sends them (JSON, client
// certificate, keep-alive connections), beside ConfigMaps of the same size sent the same way —
// so the cost of the CRD's schema and CEL shows apart from the HTTP, decoding, storage and watch
// path every create takes. `crd-cel.js` gives the same HTTPRoute's library-only figure.
// Run: npm run build && node dist/bench/crd-http.js [--objects 1000] [--clients 4]
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { startCluster } from '../test/e2e/harness.js';
import { httpRoute } from './gateway-objects.js';
import { concurrently, type Rate } from './concurrent.js';
import { call as httpsCall, connect, type Conn } from './https-call.js';
import { numberArg } from './args.js';

const arg = (name: string, def: number) => numberArg(name, def, 20_000);
const total = arg('objects', 1000);
const clients = arg('clients', 4);

const kubectlAgent = { 'User-Agent': 'kubectl/v1.32.4 (linux/amd64) bench' };
const fixtures = fileURLToPath(new URL('../../manifests/gateway-api/', import.meta.url));
const ROUTES = '/apis/gateway.networking.k8s.io/v1/namespaces/default/httproutes';
const CONFIGMAPS = '/api/v1/namespaces/default/configmaps';

/** A ConfigMap whose body is as long as the HTTPRoute's, so only what each kind's registry does differs. */
function configMap(i: number): Record<string, unknown> {
  const size = JSON.stringify(httpRoute(i)).length;
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'default' }, data: { route: 'x'.repeat(size - 100) } };
}

function creates(conn: Conn, path: string, make: (i: number) => Record<string, unknown>): Promise<Rate> {
  return concurrently(total, clients, async (i) => {
    const r = await httpsCall(conn, 'POST', `${path}?fieldManager=kubectl-create&fieldValidation=Strict`, JSON.stringify(make(i)), kubectlAgent);
    if (r.status !== 201) throw new Error(`create ${path} #${i}: ${r.status} ${r.body.slice(0, 300)}`);
  });
}

async function until(what: string, f: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await f()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function main(): Promise<void> {
  const c = await startCluster({ timeoutMs: 60_000 });
  try {
    const conn = connect(c.url, c.kubeconfig, clients);
    const crd = YAML.parse(readFileSync(`${fixtures}gateway.networking.k8s.io_httproutes.yaml`, 'utf8'));
    const made = await httpsCall(conn, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', JSON.stringify(crd), kubectlAgent);
    if (made.status !== 201) throw new Error(`HTTPRoute CRD: ${made.status} ${made.body.slice(0, 300)}`);
    await until('httproutes served', async () => (await httpsCall(conn, 'GET', ROUTES)).status === 200);
    const fmt = (r: Rate) => `${r.perSec.toFixed(0)} | ${r.p50.toFixed(1)} ms | ${r.p99.toFixed(1)} ms`;
    console.log(`node ${process.version}, ${cpus().length} cpus, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    console.log(`${total} creates each, ${clients} concurrent keep-alive clients\n`);
    console.log('| object | creates/s | p50 | p99 |\n|---|---|---|---|');
    // ConfigMaps first, so the HTTPRoutes do not run against a store the ConfigMaps have not warmed.
    console.log(`| ConfigMap (same body size, no schema) | ${fmt(await creates(conn, CONFIGMAPS, configMap))} |`);
    console.log(`| HTTPRoute (89 CEL rules in the schema) | ${fmt(await creates(conn, ROUTES, httpRoute))} |`);
    conn.agent.destroy();
  } finally {
    await c.destroy();
  }
}

await main();
