// `total` operations run by `clients` concurrent workers, timed one by one: the rate and latency
// percentiles the HTTP benchmarks report.

export interface Rate {
  perSec: number;
  p50: number;
  p99: number;
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function concurrently(total: number, clients: number, op: (i: number) => Promise<void>): Promise<Rate> {
  const lat: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let i = next++; i < total; i = next++) {
        const s = performance.now();
        await op(i);
        lat.push(performance.now() - s);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { perSec: total / secs, p50: pct(lat, 50), p99: pct(lat, 99) };
}
