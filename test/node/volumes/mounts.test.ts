// hostPath type checks, container mounts with subPath / subPathExpr, and the ServiceAccount
// admission's kube-api-access volume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container, Pod } from '../../../src/api/core.js';
import { checkHostPathType } from '../../../src/node/volumes/host-path.js';
import { containerMounts } from '../../../src/node/volumes/container-mounts.js';
import { mountPrefix } from '../../../src/node/runtime/mount-namespace.js';
import { DefaultAPITokenMountPath, mountServiceAccountToken } from '../../../src/apiserver/registry/pod-serviceaccount.js';

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'podvolumes-m-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test("hostPath types: OrCreate makes what is missing, the others say what is wrong in the kubelet's words", () => {
  withDir((dir) => {
    checkHostPathType(join(dir, 'made'), 'DirectoryOrCreate');
    assert.ok(statSync(join(dir, 'made')).isDirectory());
    checkHostPathType(join(dir, 'made', 'f'), 'FileOrCreate');
    assert.ok(statSync(join(dir, 'made', 'f')).isFile());
    checkHostPathType(join(dir, 'anything'), undefined);
    assert.throws(() => checkHostPathType(join(dir, 'made', 'f'), 'Directory'), { message: `hostPath type check failed: ${join(dir, 'made', 'f')} is not a directory` });
    assert.throws(() => checkHostPathType(join(dir, 'made'), 'File'), { message: `hostPath type check failed: ${join(dir, 'made')} is not a file` });
    assert.throws(() => checkHostPathType(join(dir, 'nope'), 'Socket'), { message: `hostPath type check failed: ${join(dir, 'nope')} is not a socket file` });
    assert.throws(() => checkHostPathType(dir, 'CharDevice'), /is not a character device/);
    assert.throws(() => checkHostPathType(dir, 'BlockDevice'), /is not a block device/);
    checkHostPathType('/dev/null', 'CharDevice');
  });
});

test('container mounts: volume paths, subPath (created when missing), subPathExpr from env, no escape', () => {
  withDir((dir) => {
    const vol = join(dir, 'vol');
    mkdirSync(vol);
    writeFileSync(join(vol, 'file'), 'x');
    symlinkSync('/etc', join(vol, 'out'));
    const paths = new Map([['v', vol]]);
    const c = (volumeMounts: object[]): Container => ({ name: 'c', volumeMounts });
    assert.deepEqual(containerMounts(c([{ name: 'v', mountPath: '/data', readOnly: true }]), paths, {}), [{ containerPath: '/data', hostPath: vol, readOnly: true }]);
    assert.deepEqual(containerMounts(c([{ name: 'v', mountPath: '/f', subPath: 'file' }]), paths, {}), [{ containerPath: '/f', hostPath: realpathSync(join(vol, 'file')), readOnly: false }]);
    const [m] = containerMounts(c([{ name: 'v', mountPath: '/logs', subPathExpr: 'logs/$(POD_NAME)' }]), paths, { POD_NAME: 'web-0' });
    assert.equal(m!.hostPath, realpathSync(join(vol, 'logs', 'web-0')));
    assert.ok(statSync(m!.hostPath).isDirectory());
    assert.throws(() => containerMounts(c([{ name: 'v', mountPath: '/x', subPathExpr: '$(NOPE)' }]), paths, {}), { message: 'missing value for NOPE' });
    assert.throws(() => containerMounts(c([{ name: 'v', mountPath: '/x', subPath: '../up' }]), paths, {}), /must not contain '\.\.'/);
    assert.throws(() => containerMounts(c([{ name: 'v', mountPath: '/x', subPath: 'out' }]), paths, {}), /not within volume path/);
    assert.throws(() => containerMounts(c([{ name: 'w', mountPath: '/x' }]), paths, {}), /cannot find volume "w"/);
  });
});

test('the mount wrapper: binds in order, read-only ones remounted, then the program', () => {
  assert.deepEqual(mountPrefix([], { kind: 'root' }), []);
  const argv = mountPrefix([{ containerPath: '/etc/config', hostPath: '/data/v', readOnly: true }], { kind: 'userns' });
  assert.match(argv[0]!, /\/unshare$/);
  assert.deepEqual(argv.slice(1, 7), ['--user', '--map-root-user', '--mount', '--propagation', 'private', '--']);
  assert.deepEqual(argv.slice(-5), ['sh', 'ro', '/data/v', '/etc/config', '--']);
});

test('ServiceAccount admission: kube-api-access-<x> projected volume mounted read-only in every container', () => {
  const pod: Pod = {
    metadata: { name: 'p', namespace: 'ns' },
    spec: {
      initContainers: [{ name: 'init' }],
      containers: [{ name: 'a' }, { name: 'own', volumeMounts: [{ name: 'mine', mountPath: DefaultAPITokenMountPath }] }],
      volumes: [{ name: 'mine', emptyDir: {} }],
    },
  };
  mountServiceAccountToken(pod);
  const vol = pod.spec.volumes!.find((v) => v.name.startsWith('kube-api-access-'))!;
  assert.match(vol.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.deepEqual(vol.projected, {
    defaultMode: 0o644,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  });
  const mount = { name: vol.name, readOnly: true, mountPath: DefaultAPITokenMountPath };
  assert.deepEqual(pod.spec.initContainers![0]!.volumeMounts, [mount]);
  assert.deepEqual(pod.spec.containers[0]!.volumeMounts, [mount]);
  assert.equal((pod.spec.containers[1]!.volumeMounts as unknown[]).length, 1, 'an own mount at the path is kept alone');
  // Admitting again (an existing volume) adds nothing.
  mountServiceAccountToken(pod);
  assert.equal(pod.spec.volumes!.length, 2);
});
