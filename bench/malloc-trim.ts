// What malloc_trim(0) costs (issue 10, item 8: kubesvc calls it once after a crowd of connections
// leaves). For a process of ~100, 200 and 300 MiB RSS, each in a fresh child: the trim's time when
// the C heap holds that much freed-but-kept memory (4 KiB chunks between live ones, as dead TLS
// sessions leave it), and when everything in it is live (the walk alone, nothing to release).
// Run: npm run build && node dist/bench/malloc-trim.js
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { mallocTrim, mallocTrimAvailable } from '../src/util/malloc-trim.js';
import { leaveFreedChunks, rssMiB } from '../test/unit/util/fragmented-c-heap.js';

/** One measurement in this process: fill the C heap with `mib` MiB of 4 KiB buffers, free all but `keepOneIn`, trim. */
async function measure(mib: number, keepOneIn: number): Promise<void> {
  const { live, peak } = await leaveFreedChunks(mib, keepOneIn);
  const before = rssMiB();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const released = await mallocTrim();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    JSON.stringify({ peak, before, after: rssMiB(), ms, cpuMs: (cpu.user + cpu.system) / 1000, released, live: live.length }),
  );
}

async function main(): Promise<void> {
  const child = process.argv.indexOf('--child');
  if (child >= 0) {
    await measure(Number(process.argv[child + 1]), Number(process.argv[child + 2]));
    return;
  }
  if (!mallocTrimAvailable()) {
    console.log('skipped: the malloc_trim addon is not built (npm run build needs a C compiler, make and python3)');
    return;
  }
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('C heap filled | freed, kept by glibc | RSS before trim → after | trim wall / CPU');
  // ~40 MiB is Node's own; the fills bring the process to ~100, 200 and 300 MiB.
  for (const mib of [64, 160, 256]) {
    for (const [keepOneIn, what] of [
      [16, '15/16 freed'],
      [1, 'all live'],
    ] as const) {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', String(mib), String(keepOneIn)], { encoding: 'utf8', timeout: 120_000 });
      const line = r.stdout.trim().split('\n').pop() ?? '';
      try {
        const m = JSON.parse(line) as { peak: number; before: number; after: number; ms: number; cpuMs: number };
        console.log(`${String(mib).padStart(4)} MiB | ${what.padEnd(11)} | ${m.before.toFixed(0)} → ${m.after.toFixed(0)} MiB | ${m.ms.toFixed(1)} / ${m.cpuMs.toFixed(1)} ms`);
      } catch {
        console.log(`${mib} MiB ${what}: failed: ${r.stderr || r.error?.message}`);
      }
    }
  }
}

await main();
