import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeEnv, processSpec } from '../../../src/node/runtime/crun/process-spec.js';
import { resolveUser } from '../../../src/node/runtime/crun/user.js';
import { CreateContainerError } from '../../../src/node/runtime/types.js';

const made: string[] = [];
after(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function tempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'crun-spec-'));
  made.push(root);
  return root;
}

function rootfs(): string {
  const root = tempRoot();
  mkdirSync(join(root, 'etc'));
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:app:/home/app:/bin/sh\n# comment\nbroken:line\n');
  writeFileSync(join(root, 'etc/group'), 'root:x:0:\napp:x:1001:\nwww:x:33:app,other\nstaff:x:50:\n');
  return root;
}

test('command and args against Entrypoint and Cmd, as the kubelet combines them', () => {
  const root = rootfs();
  const image = { Entrypoint: ['/ep'], Cmd: ['cmd-arg'] };
  // [container command, container args, expected argv] — upstream's table (k8s.io docs "Define a
  // Command and Arguments for a Container", the Docker field correspondence).
  const table: [string[] | undefined, string[] | undefined, string[]][] = [
    [undefined, undefined, ['/ep', 'cmd-arg']],
    [['/cmd'], undefined, ['/cmd']],
    [undefined, ['a1', 'a2'], ['/ep', 'a1', 'a2']],
    [['/cmd'], ['a1'], ['/cmd', 'a1']],
    [[], [], ['/ep', 'cmd-arg']],
  ];
  for (const [command, args, want] of table) {
    assert.deepEqual(processSpec({ image, command, args, env: {}, rootfs: root }).args, want, JSON.stringify({ command, args }));
  }
  // Only Cmd: args replace it; no Entrypoint to keep.
  assert.deepEqual(processSpec({ image: { Cmd: ['/bin/sh'] }, args: ['-c', 'x'], env: {}, rootfs: root }).args, ['-c', 'x']);
  assert.throws(() => processSpec({ image: {}, env: {}, rootfs: root }), (e: Error) => {
    assert.ok(e instanceof CreateContainerError);
    assert.equal(e.message, 'failed to generate container spec: no command specified');
    return true;
  });
});

test('env: the image first, the container wins; PATH defaulted; HOSTNAME from the pod', () => {
  assert.deepEqual(mergeEnv(['A=1', 'PATH=/img', 'B=x=y'], { A: '2', C: '3' }, 'web-0'), ['A=2', 'PATH=/img', 'B=x=y', 'HOSTNAME=web-0', 'C=3']);
  assert.deepEqual(mergeEnv(undefined, {}), ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
});

test('working dir: the container, else the image, else /', () => {
  const root = rootfs();
  const base = { image: { Cmd: ['x'], WorkingDir: '/srv' }, env: {}, rootfs: root };
  assert.equal(processSpec(base).cwd, '/srv');
  assert.equal(processSpec({ ...base, workingDir: '/data' }).cwd, '/data');
  assert.equal(processSpec({ ...base, image: { Cmd: ['x'] } }).cwd, '/');
});

test('User: names and ids from the image /etc/passwd and /etc/group', () => {
  const root = rootfs();
  assert.deepEqual(resolveUser(root, ''), { uid: 0, gid: 0 });
  assert.deepEqual(resolveUser(root, 'app'), { uid: 1000, gid: 1001, additionalGids: [33] });
  assert.deepEqual(resolveUser(root, '1000'), { uid: 1000, gid: 1001, additionalGids: [33] });
  // A numeric uid need not exist in the image.
  assert.deepEqual(resolveUser(root, '4242'), { uid: 4242, gid: 0 });
  assert.deepEqual(resolveUser(root, 'app:staff'), { uid: 1000, gid: 50, additionalGids: [33] });
  assert.deepEqual(resolveUser(root, '4242:4343'), { uid: 4242, gid: 4343 });
  assert.throws(() => resolveUser(root, 'nosuch'), /unable to find user nosuch: no matching entries in passwd file/);
  assert.throws(() => resolveUser(root, 'app:nogroup'), /unable to find group nogroup: no matching entries in group file/);
});

test("an image's /etc/passwd that is a symlink is not followed out of the image", () => {
  const root = tempRoot();
  mkdirSync(join(root, 'etc'));
  symlinkSync('/etc/passwd', join(root, 'etc/passwd'));
  assert.throws(() => resolveUser(root, 'root'), /unable to find user root/);
});
