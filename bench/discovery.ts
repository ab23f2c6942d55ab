// Discovery benchmark: wall time of `kubectl api-resources` with a fresh --cache-dir each run (so
// every run discovers from the server), against one API server that offers aggregated discovery
// and one started with KUBESVC_AGGREGATED_DISCOVERY=false (the unaggregated documents only).
// Runs alternate between the two so load on the shared machine falls on both alike.
// Run: npm run build && node dist/bench/discovery.js [--runs 15]
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startCluster, kubectlBin, type Cluster } from '../test/e2e/harness.js';
import { numberArg } from './args.js';

const runs = Math.min(numberArg('runs', 15), 100);

interface Sample {
  ms: number;
  requests: number;
  /** From kubectl's -v=6 log: first discovery request sent → last discovery answer received. */
  discoveryMs: number;
}

/** klog's time of day (hh:mm:ss.micro) in ms. */
function klogMs(t: string): number {
  const [h, m, s] = t.split(':').map(Number);
  return ((h! * 60 + m!) * 60 + s!) * 1000;
}

let n = 0;
function apiResources(c: Cluster): Sample {
  const start = process.hrtime.bigint();
  const r = spawnSync(kubectlBin, ['api-resources', '--cache-dir', join(c.dataDir, `cache-${n++}`), '-v=6'], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, KUBECONFIG: c.kubeconfig, HOME: c.dataDir },
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`kubectl api-resources failed: ${r.stderr}`);
  const lines = [...r.stderr.matchAll(/^I\d{4} (\S+)\s.*GET https:\/\/\S+\/apis?(?:\/[^?\s]*)?\?timeout=\S+ \d+ .* in (\d+) milliseconds/gm)];
  if (!lines.length) throw new Error(`no discovery requests in kubectl's log:\n${r.stderr}`);
  const first = klogMs(lines[0]![1]!) - Number(lines[0]![2]);
  const discoveryMs = Math.max(...lines.map((l) => klogMs(l[1]!))) - first;
  return { ms, requests: lines.length, discoveryMs };
}

function spread(values: number[]): string {
  const v = [...values].sort((a, b) => a - b);
  return `median ${v[Math.floor(v.length / 2)]!.toFixed(0)} ms (min ${v[0]!.toFixed(0)}, max ${v[v.length - 1]!.toFixed(0)})`;
}

function summary(samples: Sample[]): string {
  const reqs = [...new Set(samples.map((s) => s.requests))].join('/');
  return `wall ${spread(samples.map((s) => s.ms))}; discovery ${spread(samples.map((s) => s.discoveryMs))}; ${reqs} requests; ${samples.length} runs`;
}

const aggregated = await startCluster({ command: 'apiserver' });
const plain = await startCluster({ command: 'apiserver', env: { KUBESVC_AGGREGATED_DISCOVERY: 'false' } });
try {
  // One warm-up each: the servers' first answers build caches (JIT, TLS session setup).
  apiResources(aggregated);
  apiResources(plain);
  const a: Sample[] = [];
  const p: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    a.push(apiResources(aggregated));
    p.push(apiResources(plain));
  }
  console.log(`kubectl api-resources, aggregated discovery:   ${summary(a)}`);
  console.log(`kubectl api-resources, unaggregated discovery: ${summary(p)}`);
} finally {
  await aggregated.destroy();
  await plain.destroy();
}
