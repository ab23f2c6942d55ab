// NodePort Service creates over HTTPS from C keep-alive clients spread over one or more API
// servers' connections: creates/s and latency percentiles, printed on one line.
import { call, type Conn } from './https-call.js';

export async function nodePortCreates(label: string, conns: Conn[], o: { total: number; clients: number; prefix?: string }): Promise<void> {
  const { total, clients } = o;
  const prefix = o.prefix ?? 'bench';
  let next = 0;
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const conn = conns[c % conns.length]!;
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        const body = JSON.stringify({
          apiVersion: 'v1', kind: 'Service', metadata: { name: `${prefix}-${i}` },
          spec: { type: 'NodePort', selector: { app: `b${i}` }, ports: [{ port: 80 }] },
        });
        const r = await call(conn, 'POST', '/api/v1/namespaces/default/services', body);
        if (r.status !== 201) throw new Error(`create ${i}: ${r.status} ${r.body}`);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(1);
  console.log(`${label}: ${total} NodePort Services, ${clients} clients: ${(total / seconds).toFixed(0)} creates/s (p50 ${pct(50)} ms, p99 ${pct(99)} ms)`);
}
