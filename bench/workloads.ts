// Workload benchmark: `kubectl apply` of a 100-replica Deployment until every pod is Ready; a
// pod's deletion until its replacement is Ready (10 samples); the node agent's memory per pod
// (kubesvc's RSS with 100 pods minus with none; the pods' own processes are separate).
// Run: npm run build && node dist/bench/workloads.js [--replicas 100] [--samples 10]
import { rmSync } from 'node:fs';
import { startCluster, kubectlOk, type Cluster } from '../test/e2e/harness.js';
import { numberArg } from './args.js';
import { rssMiB } from './proc-stats.js';

const replicas = numberArg('replicas', 100);
const samples = numberArg('samples', 10);

interface PodView {
  name: string;
  ready: boolean;
  deleting: boolean;
}

function pods(c: Cluster): PodView[] {
  return (JSON.parse(kubectlOk(c, ['get', 'pods', '-l', 'app=bench', '-o', 'json'])).items as any[]).map((p) => ({
    name: p.metadata.name,
    ready: (p.status?.conditions ?? []).some((x: any) => x.type === 'Ready' && x.status === 'True'),
    deleting: !!p.metadata.deletionTimestamp,
  }));
}

const deployment = (n: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: bench
spec:
  replicas: ${n}
  selector:
    matchLabels:
      app: bench
  template:
    metadata:
      labels:
        app: bench
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: pause
        image: registry.k8s.io/pause:3.10
`;

async function waitFor(ok: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (performance.now() < deadline) {
    if (ok()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main(): Promise<void> {
  const c = await startCluster();
  const pid = c.proc.pid!;
  try {
    await new Promise((r) => setTimeout(r, 500));
    const rssIdle = rssMiB(pid);
    const t0 = performance.now();
    kubectlOk(c, ['apply', '-f', '-'], deployment(replicas));
    const allReady = await waitFor(() => pods(c).filter((p) => p.ready && !p.deleting).length === replicas, 120_000);
    const readyMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 1000));
    const rssFull = rssMiB(pid);

    const replacement: number[] = [];
    for (let i = 0; i < samples; i++) {
      const before = pods(c).filter((p) => !p.deleting);
      const victim = before[i % before.length]!.name;
      const s = performance.now();
      kubectlOk(c, ['delete', 'pod', victim, '--wait=false']);
      const ok = await waitFor(() => {
        const now = pods(c).filter((p) => p.ready && !p.deleting);
        return now.length === replicas && !now.some((p) => p.name === victim);
      }, 30_000);
      if (ok) replacement.push(performance.now() - s);
    }
    console.log(
      JSON.stringify(
        {
          replicas,
          allReady,
          applyToAllReadyMs: Math.round(readyMs),
          replacementReadyMs: { samples: replacement.length, p50: Math.round(pct(replacement, 50)), max: Math.round(Math.max(...replacement)) },
          kubesvcRssMiB: { idle: Math.round(rssIdle), withPods: Math.round(rssFull), perPodKiB: Math.round(((rssFull - rssIdle) * 1024) / replicas) },
        },
        null,
        2,
      ),
    );
  } finally {
    await c.stop();
    rmSync(c.dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
