// Volume mounts of process containers: the program sees each volume at its mountPath, read-only
// where asked, keeps its PID (the wrapper execs it in place), and the machine's mount table never
// changes. The unprivileged path (a user namespace) runs the same wrapper as nobody.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessRuntime } from '../../src/node/runtime/process.js';
import { mountNamespaceSupport, mountPrefix } from '../../src/node/runtime/mount-namespace.js';
import type { ContainerConfig } from '../../src/node/runtime/types.js';

async function readAll(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += c.toString();
  return out;
}

test('a process container sees its volumes at their mountPaths, the host mount table does not', async (t) => {
  if (mountNamespaceSupport().kind === 'none') return t.skip('no mount namespace possible here');
  const dir = mkdtempSync(join(tmpdir(), 'podvolumes-rt-'));
  const vol = join(dir, 'vol');
  mkdirSync(vol);
  writeFileSync(join(vol, 'a'), 'from-volume');
  // The mount points are created on the machine: keep them inside this test's directory.
  const target = join(dir, 'mnt', 'config');
  const rt = new ProcessRuntime(join(dir, 'rt'));
  await rt.init();
  try {
    const config: ContainerConfig = {
      id: 'mounts-1',
      podUID: 'uid-m',
      podName: 'p',
      namespace: 'default',
      containerName: 'c',
      attempt: 0,
      image: 'kubesvc.io/host',
      // Only the shell's builtins: the container's own PATH leads nowhere, yet the mounts are made.
      command: ['/bin/sh', '-c', `read -r a < ${target}/a; echo "$a"; if ( : > ${target}/new ) 2>/dev/null; then echo writable; else echo read-only; fi; echo pid=$$`],
      env: { PATH: '/nonexistent' },
      mounts: [{ containerPath: target, hostPath: vol, readOnly: true }],
    };
    const h = await rt.start(config);
    const [out, exit] = await Promise.all([readAll(h.stdout), h.exited]);
    assert.equal(exit.exitCode, 0);
    assert.equal(out, `from-volume\nread-only\npid=${h.pid}\n`);
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(target));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the user-namespace wrapper binds volumes for an unprivileged agent', (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root to become nobody');
  const dir = mkdtempSync(join(tmpdir(), 'podvolumes-userns-'));
  try {
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'vol'), { mode: 0o755 });
    mkdirSync(join(dir, 'mnt'), { mode: 0o755 });
    writeFileSync(join(dir, 'vol', 'f'), 'unprivileged', { mode: 0o644 });
    const argv = [...mountPrefix([{ containerPath: join(dir, 'mnt'), hostPath: join(dir, 'vol'), readOnly: false }], { kind: 'userns' }), 'cat', join(dir, 'mnt', 'f')];
    const r = spawnSync('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', ...argv], { encoding: 'utf8', timeout: 10_000 });
    if (r.status !== 0 && /unshare failed|Operation not permitted/.test(r.stderr)) return t.skip(`no unprivileged user namespaces here: ${r.stderr.trim()}`);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'unprivileged');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
