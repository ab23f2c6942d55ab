// Twenty pods of one OCI image through `kubesvc up`, as a user runs them: busybox built offline,
// pushed to Debian's docker-registry on 127.0.0.1, pulled once by kubesvc's puller and run by crun.
// Reports: a 20-replica Deployment from apply to all Ready; disk used by the image store (one
// copy, whatever the pod count) and by the 20 container bundles; memory per pod (RSS of every
// process the pods added on the machine, runtime overhead included), next to 20 pods of a built-in
// image (agnhost pause as a process). Run (root): npm run build && node dist/bench/oci-pods.js
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { kubectlOk, startCluster, until, type Cluster } from '../test/e2e/harness.js';
import { startDockerRegistry } from '../test/support/docker-registry.js';
import { pushBusybox } from '../test/support/oci-push.js';
import { killCrunContainers } from '../test/e2e/crun-tools.js';
import { rssKiB } from './proc-stats.js';

const replicas = 20;

/**
 * RSS (KiB) of every process on the machine, and how many: the delta across starting 20 pods is
 * what they cost, runtime overhead included. (Not "descendants of kubesvc": process containers are
 * started so they survive the agent, and are not its children.) Run on an otherwise idle machine.
 */
function machineRSS(): { processes: number; kib: number } {
  let kib = 0;
  let processes = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    // NaN: gone meanwhile, or a kernel thread.
    const rss = rssKiB(pid);
    if (!Number.isNaN(rss)) {
      kib += rss;
      processes++;
    }
  }
  return { processes, kib };
}

/** Bytes under `path` on its own file system: the containers' mounted overlays are not counted again. */
const du = (path: string) => Number(execFileSync('du', ['-sbx', path], { encoding: 'utf8' }).split('\t')[0]);

async function deployment(c: Cluster, name: string, image: string, command: string[]): Promise<number> {
  const t0 = performance.now();
  kubectlOk(c, ['create', 'deployment', name, `--image=${image}`, `--replicas=${replicas}`, '--', ...command]);
  await until(`${replicas} ready`, () => kubectlOk(c, ['get', 'deployment', name, '-o', 'jsonpath={.status.readyReplicas}']), (v) => v === String(replicas), 180_000);
  return Math.round(performance.now() - t0);
}

async function main(): Promise<void> {
  const registry = await startDockerRegistry();
  const image = await pushBusybox(registry, 'bench/busybox', '1');
  const c = await startCluster();
  try {
    const base = machineRSS();
    const builtinMs = await deployment(c, 'builtin', 'registry.k8s.io/e2e-test-images/agnhost:2.53', ['/agnhost', 'pause']);
    const withBuiltin = machineRSS();
    kubectlOk(c, ['delete', 'deployment', 'builtin', '--wait=true']);
    await until('builtin pods gone', () => kubectlOk(c, ['get', 'pods', '-l', 'app=builtin', '-o', 'name']), (v) => v === '', 60_000);
    const between = machineRSS();
    const ociMs = await deployment(c, 'oci', image, ['sleep', '3600']);
    const withOCI = machineRSS();
    const node = join(c.dataDir, 'node');
    console.log(
      JSON.stringify(
        {
          replicas,
          image,
          deploymentToAllReadyMs: { builtinAgnhostPause: builtinMs, ociBusyboxFirstPullIncluded: ociMs },
          disk: { imageStoreBytes: du(join(c.dataDir, 'images')), crunBundlesBytes: du(join(node, 'crun', 'bundles')), rootfsCopies: readdirSync(join(c.dataDir, 'images', 'rootfs')).length },
          rssPerPodKiB: {
            builtin: Math.round((withBuiltin.kib - base.kib) / replicas),
            oci: Math.round((withOCI.kib - between.kib) / replicas),
          },
          processesPerPod: { builtin: (withBuiltin.processes - base.processes) / replicas, oci: (withOCI.processes - between.processes) / replicas },
        },
        null,
        2,
      ),
    );
  } finally {
    // Twenty containers that ignore SIGTERM take the agent's 10 s grace: the harness may kill
    // kubesvc first, so whatever it left is stopped and unmounted here.
    try {
      await c.stop();
      killCrunContainers(c.dataDir);
      await c.destroy();
    } finally {
      await registry.stop();
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
