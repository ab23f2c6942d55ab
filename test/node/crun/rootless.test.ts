// Rootless crun: the agent's runtime as an unprivileged user (nobody, through setpriv) runs a
// container in a user namespace mapping root to that user, execs into it and stops it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { busyboxRootfs, crunAvailable } from './busybox-image.js';

const nobody = 65534;
const child = fileURLToPath(new URL('./rootless-child.js', import.meta.url));

/** Root, setpriv, crun and busybox, and a checkout nobody can read (a `mktemp -d` clone is 0700), as test/e2e/cli.test.ts checks. */
function skipReason(): string | false {
  if (!crunAvailable || spawnSync('setpriv', ['--version']).status !== 0) return 'needs root (to become nobody), setpriv, crun and busybox';
  const r = spawnSync('setpriv', ['--reuid', String(nobody), '--regid', String(nobody), '--clear-groups', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(child)}, require('fs').constants.R_OK)`]);
  return r.status === 0 ? false : `user nobody cannot read ${child}`;
}
const skip = skipReason();

test('a non-root agent runs, execs into and stops a container (rootless crun)', { skip, timeout: 60_000 }, () => {
  const rootfs = busyboxRootfs();
  const dataDir = mkdtempSync(join(tmpdir(), 'crun-rootless-'));
  try {
    // The image is only read (a copy is the container's root: no overlay without root).
    spawnSync('chmod', ['-R', 'a+rX', rootfs]);
    chmodSync(rootfs, 0o755);
    chownSync(dataDir, nobody, nobody);
    const r = spawnSync(
      'setpriv',
      ['--reuid', String(nobody), '--regid', String(nobody), '--clear-groups', process.execPath, child, join(dataDir, 'node'), rootfs],
      { encoding: 'utf8', timeout: 50_000, cwd: '/', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dataDir } },
    );
    assert.equal(r.status, 0, r.stderr);
    const got = JSON.parse(r.stdout.trim().split('\n').pop()!);
    assert.equal(got.uid, nobody);
    assert.equal(got.limits, 'the node agent is not root, so it cannot create cgroups');
    // Root inside (the only id the user namespace maps), the pod's hostname, the container's env.
    assert.equal(got.out, '0 rootless-pod rootless\n');
    assert.equal(got.exitCode, 4);
    assert.equal(got.execStatus, 0);
    assert.equal(got.exec, 'rootless-pod\n');
    assert.equal(got.stopped, 137);
    assert.match(r.stderr, /a copy of the image/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(rootfs, { recursive: true, force: true });
  }
});
