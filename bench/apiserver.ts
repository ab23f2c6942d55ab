// API server benchmark: 10,000 Service creates over HTTPS from 8 concurrent clients while 100
// watchers follow along, a full list of the 10,000, watch delivery latency, and server memory.
// Run: npm run build && node dist/bench/apiserver.js [--services 10000] [--clients 8] [--watchers 100]
import https from 'node:https';
import { call, type Conn } from './https-call.js';
import { runBench, withCluster } from './with-cluster.js';
import { numberArg } from './args.js';
import { rssMiB, cpuMs } from './proc-stats.js';

const total = numberArg('services', 10_000);
const clients = numberArg('clients', 8);
const watchers = numberArg('watchers', 100);
const latencySamples = numberArg('latency-samples', 200);

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function serviceBody(i: number): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: `bench-${i}`, labels: { app: 'bench', shard: String(i % 16) } },
    spec: {
      selector: { app: 'bench', shard: String(i % 16) },
      ports: [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'metrics', port: 9090, targetPort: 9090 },
      ],
    },
  });
}

/** A watch that records when each object name was first seen, without parsing every event. */
function openWatcher(conn: Conn, rv: string, seen: Map<string, number>[], idx: number): Promise<() => void> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(`/api/v1/namespaces/default/services?watch=1&resourceVersion=${rv}`, conn.base),
      { ca: conn.cred.ca, cert: conn.cred.cert, key: conn.cred.key, agent: false },
      (res) => {
        let tail = '';
        const mine = new Map<string, number>();
        seen[idx] = mine;
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          const now = performance.now();
          const text = tail + d;
          const re = /"name":"(bench-[^"]+|lat-[^"]+)"/g;
          let m;
          let last = 0;
          while ((m = re.exec(text))) {
            if (!mine.has(m[1]!)) mine.set(m[1]!, now);
            last = re.lastIndex;
          }
          tail = text.slice(Math.max(last, text.length - 200));
        });
        resolve(() => req.destroy());
      },
    );
    req.on('error', (e) => {
      if ((e as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(e);
    });
    req.end();
  });
}

// The API server alone: with `up`, kube-proxy would also open two listeners per Service and the
// controllers would work on every one, which is another benchmark (see bench/README.md).
runBench(() =>
  withCluster({ command: process.argv.includes('--all') ? 'up' : 'apiserver', clients }, async (c, conn) => {
    const pid = c.proc.pid!;
    const rssStart = rssMiB(pid);
    const list0 = JSON.parse((await call(conn, 'GET', '/api/v1/namespaces/default/services')).body);
    const seen: Map<string, number>[] = [];
    const stops = await Promise.all(Array.from({ length: watchers }, (_, i) => openWatcher(conn, list0.metadata.resourceVersion, seen, i)));

    // Phase 1: bulk creates.
    let next = 0;
    let failures = 0;
    const createLat: number[] = [];
    const cpu0 = cpuMs(pid);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (;;) {
          const i = next++;
          if (i >= total) return;
          const s = performance.now();
          const r = await call(conn, 'POST', '/api/v1/namespaces/default/services', serviceBody(i));
          createLat.push(performance.now() - s);
          if (r.status !== 201) failures++;
        }
      }),
    );
    const createSec = (performance.now() - t0) / 1000;
    // The server's own CPU per create: the bench client shares the cores, so creates/s alone understates the server.
    const serverCpuPerCreate = (cpuMs(pid) - cpu0) / total;
    // Wait (bounded) until every watcher saw the last object.
    const deadline = performance.now() + 60_000;
    while (performance.now() < deadline && !seen.every((m) => m && m.size >= total)) await new Promise((r) => setTimeout(r, 50));
    const deliveredAll = seen.filter((m) => m && m.size >= total).length;
    const fanoutSec = (performance.now() - t0) / 1000;

    // Phase 2: full lists of every Service.
    const listTimes: number[] = [];
    let listCount = 0;
    for (let k = 0; k < 5; k++) {
      const s = performance.now();
      const r = await call(conn, 'GET', '/api/v1/namespaces/default/services');
      listTimes.push(performance.now() - s);
      listCount = (JSON.parse(r.body).items as unknown[]).length;
    }
    listTimes.sort((a, b) => a - b);
    const pageTimes: number[] = [];
    {
      let cont = '';
      const s = performance.now();
      do {
        const ps = performance.now();
        const r = JSON.parse((await call(conn, 'GET', `/api/v1/namespaces/default/services?limit=500${cont ? `&continue=${cont}` : ''}`)).body);
        pageTimes.push(performance.now() - ps);
        cont = r.metadata.continue ?? '';
      } while (cont);
      pageTimes.push(performance.now() - s);
    }

    // Phase 3: watch latency, one create at a time with all watchers open.
    const sent = new Map<string, number>();
    for (let i = 0; i < latencySamples; i++) {
      const name = `lat-${i}`;
      const body = serviceBody(i).replace(`bench-${i}`, name);
      sent.set(name, performance.now());
      await call(conn, 'POST', '/api/v1/namespaces/default/services', body);
      await new Promise((r) => setTimeout(r, 5));
    }
    await new Promise((r) => setTimeout(r, 500));
    const lat: number[] = [];
    for (const m of seen) for (const [name, t] of sent) if (m?.has(name)) lat.push(m.get(name)! - t);
    lat.sort((a, b) => a - b);
    createLat.sort((a, b) => a - b);
    const rssEnd = rssMiB(pid);
    for (const s of stops) s();

    const out = {
      services: total,
      clients,
      watchers,
      createsPerSec: Math.round(total / createSec),
      createFailures: failures,
      serverCpuMsPerCreate: +serverCpuPerCreate.toFixed(3),
      createLatencyMs: { p50: +pct(createLat, 50).toFixed(2), p99: +pct(createLat, 99).toFixed(2) },
      watchersThatSawAll: `${deliveredAll}/${watchers}`,
      allEventsDeliveredSec: +fanoutSec.toFixed(2),
      listAllMs: { items: listCount, median: +pct(listTimes, 50).toFixed(1), best: +listTimes[0]!.toFixed(1) },
      listPaged500Ms: { pages: pageTimes.length - 1, total: +pageTimes[pageTimes.length - 1]!.toFixed(1) },
      watchLatencyMs: { samples: lat.length, p50: +pct(lat, 50).toFixed(2), p99: +pct(lat, 99).toFixed(2) },
      serverRssMiB: { start: Math.round(rssStart), end: Math.round(rssEnd) },
    };
    console.log(JSON.stringify(out, null, 2));
  }),
);
