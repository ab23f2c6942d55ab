// Memory of `kubesvc up` under Service churn (issue 15: "≤ 150 MiB steady"): rounds of N Service
// creates then N deletes over HTTPS from 8 keep-alive clients, the server's RSS after each round,
// then after it idles, sampled every 10 s. Every loop is bounded by the round count and --services.
// Run: npm run build && node dist/bench/api-churn.js [--services 2500] [--rounds 4] [--idle-seconds 60]
import { call } from './https-call.js';
import { concurrently } from './concurrent.js';
import { runBench, withCluster } from './with-cluster.js';
import { numberArg } from './args.js';
import { rssMiB } from './proc-stats.js';

const services = numberArg('services', 2_500, 20_000);
const rounds = numberArg('rounds', 4, 20);
const idleSeconds = numberArg('idle-seconds', 60, 600);
const clients = 8;

/**
 * With KUBESVC_NODE_FLAGS=--heapsnapshot-signal=SIGUSR2: a heap snapshot of the server (written to
 * the current directory) before the churn, after each round, and after the idle time.
 */
async function snapshot(pid: number): Promise<void> {
  if (!process.env.KUBESVC_NODE_FLAGS?.includes('--heapsnapshot-signal=SIGUSR2')) return;
  process.kill(pid, 'SIGUSR2');
  await new Promise((res) => setTimeout(res, 20_000));
}

runBench(() =>
  withCluster({ clients }, async (c, conn) => {
    const pid = c.proc.pid!;
    const rss: Record<string, number> = { idle: Math.round(rssMiB(pid)) };
    await snapshot(pid);
    for (let r = 1; r <= rounds; r++) {
      const t0 = performance.now();
      await concurrently(services, clients, async (i) => {
        const body = JSON.stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: `churn-${i}`, labels: { app: 'churn' } },
          spec: { selector: { app: `churn-${i}` }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
        });
        const res = await call(conn, 'POST', '/api/v1/namespaces/default/services', body);
        if (res.status !== 201) throw new Error(`create churn-${i}: ${res.status} ${res.body.slice(0, 200)}`);
      });
      const created = performance.now() - t0;
      rss[`round ${r} created`] = Math.round(rssMiB(pid));
      await concurrently(services, clients, async (i) => {
        const res = await call(conn, 'DELETE', `/api/v1/namespaces/default/services/churn-${i}`);
        if (res.status !== 200) throw new Error(`delete churn-${i}: ${res.status} ${res.body.slice(0, 200)}`);
      });
      rss[`round ${r} deleted`] = Math.round(rssMiB(pid));
      await snapshot(pid);
      console.error(`round ${r}: ${services} creates in ${(created / 1000).toFixed(1)} s, deletes done; RSS ${rss[`round ${r} deleted`]} MiB`);
    }
    for (let s = 10; s <= idleSeconds; s += 10) {
      await new Promise((res) => setTimeout(res, 10_000));
      rss[`idle ${s} s after`] = Math.round(rssMiB(pid));
    }
    await snapshot(pid);
    // What the cluster still holds after the churn (each kept in the API server's watch cache).
    const left: Record<string, number> = {};
    for (const [name, path] of [
      ['services', '/api/v1/services'],
      ['endpointslices', '/apis/discovery.k8s.io/v1/endpointslices'],
      ['endpoints', '/api/v1/endpoints'],
      ['events', '/api/v1/events'],
      ['ipaddresses', '/apis/networking.k8s.io/v1/ipaddresses'],
    ] as const) {
      const res = await call(conn, 'GET', path);
      left[name] = res.status === 200 ? (JSON.parse(res.body).items as unknown[]).length : -res.status;
    }
    console.log(JSON.stringify({ services, rounds, rssMiB: rss, objectsLeft: left }, null, 2));
    // With KUBESVC_NODE_FLAGS=--trace-gc: the server's last heap figures after a full GC.
    if (process.env.KUBESVC_NODE_FLAGS?.includes('--trace-gc')) console.log(c.stdout().split('\n').filter((l) => l.includes('Mark-Compact')).slice(-3).join('\n'));
  }),
);
