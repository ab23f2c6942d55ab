// The storage benchmark body, shared by the SQLite and etcd runs so their figures compare:
// creates per second from many concurrent callers, then lists of 10,000 keys of ~1 KB.
import type { Backend } from '../src/storage/backend.js';

const KEYS = 10_000;
const CONCURRENCY = 200;
const value = JSON.stringify({ kind: 'Service', pad: 'x'.repeat(1000) });

export async function benchStorage(db: Backend): Promise<void> {
  let next = 0;
  const t0 = performance.now();
  // CONCURRENCY callers, each creating its next key as soon as the previous one is acknowledged.
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < KEYS) {
        const i = next++;
        await db.create(`/registry/services/specs/ns${i % 50}/svc-${i}`, value);
      }
    }),
  );
  const createSecs = (performance.now() - t0) / 1000;
  console.log(`creates: ${KEYS} in ${createSecs.toFixed(2)} s = ${Math.round(KEYS / createSecs)} creates/s (${CONCURRENCY} concurrent callers)`);

  const times: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    const res = await db.range('/registry/services/specs/');
    times.push(performance.now() - t);
    const used = process.cpuUsage(c);
    cpu.push((used.user + used.system) / 1000);
    if (res.count !== KEYS || res.kvs.length !== KEYS) throw new Error(`range returned ${res.kvs.length}/${res.count}`);
  }
  const sorted = [...times].sort((a, b) => a - b);
  const cpuSorted = [...cpu].sort((a, b) => a - b);
  // CPU time is reported too: on a shared machine wall time mostly measures the neighbours.
  console.log(
    `range of ${KEYS} keys (~1 KB each), 10 runs: wall best ${sorted[0]!.toFixed(1)} ms, median ${sorted[5]!.toFixed(1)} ms, first ${times[0]!.toFixed(1)} ms; CPU median ${cpuSorted[5]!.toFixed(1)} ms`,
  );

  const t = performance.now();
  const page = await db.range('/registry/services/specs/', { limit: 500 });
  console.log(`range with limit 500 (count of ${page.count}): ${(performance.now() - t).toFixed(1)} ms`);

  const rev = await db.currentRevision();
  const th = performance.now();
  const old = await db.range('/registry/services/specs/', { revision: rev - 100 });
  console.log(`range of ${old.count} keys at an older revision: ${(performance.now() - th).toFixed(1)} ms`);
  // kubectl lists in pages of 500, later pages at the first page's revision.
  const tp = performance.now();
  const later = await db.range('/registry/services/specs/', { revision: rev - 100, limit: 500, startKey: old.kvs[5000]!.key });
  console.log(`page of ${later.kvs.length} at an older revision (count ${later.count}): ${(performance.now() - tp).toFixed(1)} ms`);
}
