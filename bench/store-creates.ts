// Service creates through the API server's store alone, in this process (no HTTP, no TLS, an
// in-memory SQLite): what the create pipeline itself costs — defaulting, admission, ClusterIP
// allocation (an IPAddress create of its own), validation, managedFields, storage, watch cache.
// Run: npm run build && node dist/bench/store-creates.js [--services 10000] [--clients 8]
import { startTestApiServer } from '../test/support/apiserver.js';
import { newContext } from '../src/apiserver/store/context.js';
import { numberArg } from './args.js';
import { runBench } from './with-cluster.js';

const total = numberArg('services', 10_000);
const clients = numberArg('clients', 8);

runBench(async () => {
  const t = await startTestApiServer({ prefix: 'kubesvc-bench-' });
  try {
    const store = t.api.store('', 'services');
    let next = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        for (let i = next++; i < total; i = next++) {
          await store.create(newContext({ namespace: 'default', fieldManager: 'bench' }), {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: `bench-${i}`, labels: { app: 'bench', shard: String(i % 16) } },
            spec: { selector: { app: 'bench', shard: String(i % 16) }, ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'metrics', port: 9090, targetPort: 9090 }] },
          });
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    console.log(JSON.stringify({ services: total, clients, createsPerSec: Math.round(total / seconds), cpuMsPerCreate: +((cpu.user + cpu.system) / 1000 / total).toFixed(3) }));
  } finally {
    await t.stop();
  }
});
