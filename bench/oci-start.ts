// OCI container start → Ready through the node agent with crun (busybox image from a test
// ImagePuller, already pulled: the pull is the image store's figure, not this one), next to the
// built-in image path (pause as a process). From creating the pod to its Ready condition, one pod
// at a time, 20 each; p50 and p99. Run (root): npm run build && node dist/bench/oci-start.js
import { rmSync } from 'node:fs';
import type { Pod } from '../src/api/core.js';
import { R } from '../src/client/resources.js';
import { eventually, startAgentCluster } from '../test/node/cluster.js';
import { BusyboxPuller, busyboxRootfs } from '../test/node/crun/busybox-image.js';

const runs = 20;

function pod(name: string, image: string, command?: string[]): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image, ...(command ? { command } : {}) }] },
  } as Pod;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!;

async function main(): Promise<void> {
  const rootfs = busyboxRootfs();
  const c = await startAgentCluster({ imagePuller: new BusyboxPuller(rootfs) });
  const ready = async (name: string) =>
    (await c.client.get<Pod>(R.pods, 'default', name)).status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
  const cases: [string, (i: number) => Pod][] = [
    ['builtin pause (process)', (i) => pod(`builtin-${i}`, 'registry.k8s.io/pause:3.10')],
    ['OCI busybox (crun)', (i) => pod(`oci-${i}`, 'busybox:1.36', ['sleep', '600'])],
  ];
  const result: Record<string, unknown> = {};
  try {
    // One warm-up of each (the first pull, overlay support check, page cache).
    for (const [, make] of cases) {
      const p = make(-1);
      await c.client.create(R.pods, 'default', p);
      await eventually(() => ready(p.metadata.name!), 30_000);
      await c.client.delete(R.pods, 'default', p.metadata.name!);
    }
    for (const [what, make] of cases) {
      const ms: number[] = [];
      for (let i = 0; i < runs; i++) {
        const p = make(i);
        const t0 = performance.now();
        await c.client.create(R.pods, 'default', p);
        await eventually(() => ready(p.metadata.name!), 30_000);
        ms.push(performance.now() - t0);
        await c.client.delete(R.pods, 'default', p.metadata.name!);
      }
      result[what] = { p50Ms: Math.round(pct(ms, 50)), p99Ms: Math.round(pct(ms, 99)), all: ms.map(Math.round) };
    }
  } finally {
    await c.stop();
    rmSync(rootfs, { recursive: true, force: true });
  }
  console.log(JSON.stringify(result, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
