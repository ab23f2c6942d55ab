// How long `kubesvc up` takes to be ready: from spawning the process to the kubeconfig being
// written and the ready summary printed (GET /readyz answers ok from then on), for a fresh data
// dir (certificates generated) and for a restart (everything reused). Median of 5 each.
// Run: npm run build && node dist/bench/startup.js
import { rmSync } from 'node:fs';
import { startCluster, tempDir, request } from '../test/e2e/harness.js';

async function once(dataDir: string): Promise<number> {
  const t0 = performance.now();
  const c = await startCluster({ dataDir });
  const ms = performance.now() - t0;
  const ready = await request(c, 'GET', '/readyz', undefined, { anonymous: true });
  if (ready.body !== 'ok') throw new Error(`/readyz said ${ready.body}`);
  await c.stop();
  return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const fresh: number[] = [];
  const restart: number[] = [];
  for (let i = 0; i < 5; i++) {
    const dir = tempDir('kubesvc-bench-');
    fresh.push(await once(dir));
    restart.push(await once(dir));
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    JSON.stringify(
      {
        freshDataDirMs: { median: Math.round(median(fresh)), all: fresh.map(Math.round) },
        restartMs: { median: Math.round(median(restart)), all: restart.map(Math.round) },
      },
      null,
      2,
    ),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
