// Pulling a ~5 MB OCI image (busybox-static plus 4 MB that does not compress, built offline) from
// Debian's docker-registry on 127.0.0.1 into a fresh image store: kubesvc's OciImagePuller cold
// (nothing stored), warm (pull policy Always: the tag re-resolved, every blob already stored) and
// present (IfNotPresent), next to the peer a user would reach for, `skopeo copy` to an OCI layout
// followed by `umoci unpack` (both from Debian).
// Run: npm run build && node dist/bench/image-pull.js [--runs N]
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OciImagePuller } from '../src/node/oci-images/puller.js';
import { startDockerRegistry } from '../test/support/docker-registry.js';
import { busyboxImage } from '../test/support/oci-image.js';
import { pushImage } from '../test/support/oci-push.js';
import { numberArg } from './args.js';

const run = promisify(execFile);
const RUNS = Math.max(1, numberArg('runs', 5, 20));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

const registry = await startDockerRegistry();
const work = await mkdtemp(join(tmpdir(), 'ociimage-bench-'));
try {
  const image = await busyboxImage({ padBytes: 4 << 20 });
  await pushImage(registry.url, 'bench/busybox', '1', image);
  const ref = `${registry.host}/bench/busybox:1`;
  const size = image.bytes.length + [...image.blobs.values()].reduce((n, b) => n + b.length, 0);
  const rows: Record<string, number[]> = { cold: [], warm: [], present: [], skopeo: [], umoci: [] };
  const peers = existsSync('/usr/bin/skopeo') && existsSync('/usr/bin/umoci');
  for (let i = 0; i < RUNS; i++) {
    const puller = new OciImagePuller({ dir: join(work, `store-${i}`) });
    rows.cold!.push(await timed(() => puller.ensure({ image: ref, pullPolicy: 'IfNotPresent', pullSecrets: [] })));
    rows.warm!.push(await timed(() => puller.ensure({ image: ref, pullPolicy: 'Always', pullSecrets: [] })));
    rows.present!.push(await timed(() => puller.ensure({ image: ref, pullPolicy: 'IfNotPresent', pullSecrets: [] })));
    if (peers) {
      const layout = join(work, `layout-${i}`);
      rows.skopeo!.push(await timed(() => run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `oci:${layout}:1`])));
      rows.umoci!.push(await timed(() => run('umoci', ['unpack', '--image', `${layout}:1`, join(work, `bundle-${i}`)])));
    }
  }
  console.log(`image ${ref}: ${size} bytes (compressed), ${RUNS} runs, load average ${loadavg()[0]!.toFixed(1)}`);
  console.log('| case | median | min | max |');
  console.log('|---|---|---|---|');
  const line = (name: string, xs: number[]) =>
    xs.length && console.log(`| ${name} | ${median(xs).toFixed(1)} ms | ${Math.min(...xs).toFixed(1)} ms | ${Math.max(...xs).toFixed(1)} ms |`);
  line('kubesvc cold pull (download, verify, unpack)', rows.cold!);
  line('kubesvc warm pull (Always, blobs stored)', rows.warm!);
  line('kubesvc IfNotPresent, present', rows.present!);
  if (peers) {
    line('skopeo copy to an OCI layout', rows.skopeo!);
    line('umoci unpack of that layout', rows.umoci!);
    line('skopeo + umoci', rows.skopeo!.map((s, i) => s + rows.umoci![i]!));
  } else console.log('(skopeo or umoci missing: no peer row)');
} finally {
  await registry.stop();
  await rm(work, { recursive: true, force: true });
}
