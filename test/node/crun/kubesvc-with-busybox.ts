// `kubesvc up` as bin/kubesvc runs it, with a test ImagePuller that answers every OCI image with a
// busybox root filesystem built in a temp dir (no registry, no internet): the e2e tests start it
// through the harness's `bin` option and drive it with kubectl like any cluster.
import { rmSync } from 'node:fs';
import { up } from '../../../src/cli/up.js';
import { BusyboxPuller, busyboxRootfs } from './busybox-image.js';

const [cmd, ...rest] = process.argv.slice(2);
if (cmd !== 'up') {
  process.stderr.write('usage: kubesvc-with-busybox up [flags]\n');
  process.exit(2);
}
const rootfs = busyboxRootfs();
up(rest, undefined, { imagePuller: new BusyboxPuller(rootfs) }).then(
  (code) => {
    rmSync(rootfs, { recursive: true, force: true });
    process.exit(code);
  },
  (e) => {
    process.stderr.write(`kubesvc failed: ${(e as Error).stack}\n`);
    process.exit(1);
  },
);
