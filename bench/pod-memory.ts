// What a pod of a built-in image costs in memory: N agnhost netexec pods under `kubesvc up`
// (each its own Node process), read from /proc/<pid>/smaps_rollup — RSS (which counts the Node
// binary's pages every process shares, in full), PSS (shared pages split between the processes
// sharing them: what the machine pays per pod) and private dirty memory — idle, then while wrk
// drives one pod. Run: npm run build && node dist/bench/pod-memory.js [--pods 10] [--seconds 5]
import { readdirSync, readFileSync } from 'node:fs';
import { startCluster, kubectlOk, until } from '../test/e2e/harness.js';
import { numberArg } from './args.js';
import { runWrk } from './wrk.js';

const pods = Math.min(numberArg('pods', 10), 40);
const seconds = Math.min(numberArg('seconds', 5), 60);

interface Mem {
  rss: number;
  pss: number;
  privateDirty: number;
}

function memOf(pid: string): Mem {
  const t = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(t)?.[1] ?? NaN);
  return { rss: kib('Rss') / 1024, pss: kib('Pss') / 1024, privateDirty: kib('Private_Dirty') / 1024 };
}

/** The pod processes of this bench's namespace: agnhost's, by POD_NAMESPACE in their environment. */
function podProcesses(namespace: string): { pid: string; podIP: string; argv: string }[] {
  const out: { pid: string; podIP: string; argv: string }[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (!argv.includes('agnhost')) continue;
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (!env.includes(`POD_NAMESPACE=${namespace}`)) continue;
      out.push({ pid, podIP: env.find((e) => e.startsWith('POD_IP='))?.slice(7) ?? '', argv });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (m: Mem) => `RSS ${m.rss.toFixed(1)} MiB, PSS ${m.pss.toFixed(1)} MiB, private ${m.privateDirty.toFixed(1)} MiB`;

async function main(): Promise<void> {
  const c = await startCluster();
  try {
    const ns = 'pod-memory';
    kubectlOk(c, ['create', 'namespace', ns]);
    kubectlOk(c, ['-n', ns, 'create', 'deployment', 'web', `--replicas=${pods}`, '--image=registry.k8s.io/e2e-test-images/agnhost:2.53', '--', '/agnhost', 'netexec', '--http-port=8080']);
    await until(`${pods} ready`, () => JSON.parse(kubectlOk(c, ['-n', ns, 'get', 'deploy', 'web', '-o', 'json'])).status?.readyReplicas ?? 0, (n) => n === pods, 120_000);
    await new Promise((r) => setTimeout(r, 2000));
    const procs = podProcesses(ns);
    console.log(`${procs.length} pod processes, e.g. ${procs[0]?.argv}`);
    const idle = procs.map((p) => memOf(p.pid));
    console.log(`idle, median of ${idle.length}: ${fmt({ rss: median(idle.map((m) => m.rss)), pss: median(idle.map((m) => m.pss)), privateDirty: median(idle.map((m) => m.privateDirty)) })}`);
    const target = procs[0]!;
    const load = await runWrk(`http://${target.podIP}:8080/hostname`, { seconds, newConnection: false });
    console.log(`one pod under wrk -c32 for ${seconds} s (${Math.round(load.rps)} req/s): ${fmt(memOf(target.pid))}`);
  } finally {
    await c.destroy();
  }
}

await main();
