// `kubesvc up` as bin/kubesvc runs it, with a test ImagePuller that answers every OCI image with a
// busybox root filesystem built in a temp dir (no registry, no internet): the e2e tests start it
// through the harness's `bin` option and drive it with kubectl like any cluster.
import { join } from 'node:path';
import { up } from '../../../src/cli/up.js';
import { BusyboxPuller, busyboxRootfs } from './busybox-image.js';

const [cmd, ...rest] = process.argv.slice(2);
if (cmd !== 'up') {
  process.stderr.write('usage: kubesvc-with-busybox up [flags]\n');
  process.exit(2);
}
// In the data dir, so a restart (or a kill -9) leaves nothing elsewhere and reuses it.
const dataDir = rest[rest.indexOf('--data-dir') + 1];
if (!rest.includes('--data-dir') || !dataDir) {
  process.stderr.write('kubesvc-with-busybox: --data-dir is required\n');
  process.exit(2);
}
const rootfs = busyboxRootfs(join(dataDir, 'test-image-busybox'));
up(rest, undefined, { imagePuller: new BusyboxPuller(rootfs) }).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`kubesvc failed: ${(e as Error).stack}\n`);
    process.exit(1);
  },
);
