// persistentVolumeClaim volumes on the node: the directory of the bound volume (hostPath made as
// DirectoryOrCreate says, local checked), the reasons a pod waits, and readOnly for every mount.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Container, Pod } from '../../../src/api/core.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../../src/api/storage.js';
import type { Client } from '../../../src/client/client.js';
import { StatusError } from '../../../src/machinery/status.js';
import { containerMounts } from '../../../src/node/volumes/container-mounts.js';
import { claimVolumesFrom, readOnlyVolumes } from '../../../src/node/volumes/persistent-volume.js';

const pod = { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'c', readOnly: true } }, { name: 'scratch', emptyDir: {} }] } } as unknown as Pod;

/** Only get, of the claim and the volume given. */
function fakeClient(pvc: PersistentVolumeClaim | undefined, pv: PersistentVolume | undefined): Client {
  return {
    get: async (ref: { resource: string }, _ns: string | undefined, name: string) => {
      const o = ref.resource === 'persistentvolumeclaims' ? pvc : pv;
      if (!o) throw new StatusError(404, 'NotFound', `${ref.resource} "${name}" not found`);
      return o;
    },
  } as unknown as Client;
}

test('the bound volume\'s directory, and why a pod waits until there is one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pvc-node-'));
  try {
    const path = join(dir, 'pvc-1');
    const pv: PersistentVolume = { metadata: { name: 'pv-1' }, spec: { hostPath: { path, type: 'DirectoryOrCreate' }, claimRef: { uid: 'u1' } } };
    const bound: PersistentVolumeClaim = { metadata: { name: 'c', namespace: 'default', uid: 'u1' }, spec: { volumeName: 'pv-1' }, status: { phase: 'Bound' } };
    assert.equal(await claimVolumesFrom(fakeClient(bound, pv))(pod, 'c'), path);
    assert.ok(statSync(path).isDirectory());
    const pending: PersistentVolumeClaim = { metadata: { name: 'c', namespace: 'default' }, spec: {}, status: { phase: 'Pending' } };
    await assert.rejects(claimVolumesFrom(fakeClient(pending, pv))(pod, 'c'), { message: 'error processing PVC default/c: PVC is not bound' });
    await assert.rejects(claimVolumesFrom(fakeClient(undefined, pv))(pod, 'c'), { message: 'persistentvolumeclaim "c" not found' });
    const nfs: PersistentVolume = { metadata: { name: 'pv-1' }, spec: { nfs: { server: 's', path: '/x' } } };
    await assert.rejects(claimVolumesFrom(fakeClient(bound, nfs))(pod, 'c'), /only hostPath and local are supported/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a readOnly claim is mounted read-only in every container, whatever the mount asks', () => {
  const ro = readOnlyVolumes(pod);
  assert.deepEqual([...ro], ['data']);
  const c = { name: 'c', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/data' }, { name: 'scratch', mountPath: '/s' }] } as Container;
  const mounts = containerMounts(c, new Map([['data', '/srv/data'], ['scratch', '/srv/s']]), {}, ro);
  assert.deepEqual(mounts.map((m) => [m.containerPath, m.readOnly]), [['/data', true], ['/s', false]]);
});
