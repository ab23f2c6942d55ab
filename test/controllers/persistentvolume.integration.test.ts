// Storage on a real API server with the controllers: default-class admission and protection
// finalizers, static binding and Released volumes, a claim's spec rules, WaitForFirstConsumer
// with the local-path provisioner (directory made, bound, removed with the claim), the protection
// controllers, and `kubectl get pvc,pv` columns. No node agent: the test plays the scheduler.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/meta.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../src/api/storage.js';
import { R } from '../../src/client/resources.js';
import { StatusError } from '../../src/machinery/status.js';
import { localPathStorageClass } from '../../src/controllers/volume/localpath/provisioner.js';
import { startControllerCluster, eventually, retryOnConflict, type ControllerCluster } from './cluster.js';

const kubectlBin = process.env.KUBECTL ?? '/usr/bin/kubectl';
let c: ControllerCluster;
let storageDir: string;
before(async () => {
  storageDir = mkdtempSync(join(tmpdir(), 'kubesvc-pv-'));
  c = await startControllerCluster({ scheduler: false, localPath: { storageDir } });
  await c.client.create(R.storageclasses, undefined, localPathStorageClass());
});
after(async () => {
  await c.stop();
  rmSync(storageDir, { recursive: true, force: true });
});

const claim = (name: string, spec: PersistentVolumeClaim['spec'], annotations?: Record<string, string>): PersistentVolumeClaim => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'default', ...(annotations ? { annotations } : {}) }, spec,
});
const getClaim = (name: string) => c.client.get<PersistentVolumeClaim>(R.persistentvolumeclaims, 'default', name);
const getVolume = (name: string) => c.client.get<PersistentVolume>(R.persistentvolumes, undefined, name);
async function gone(get: () => Promise<unknown>): Promise<void> {
  await eventually(async () => {
    try {
      await get();
      return false;
    } catch (e) {
      return e instanceof StatusError && e.code === 404;
    }
  });
}
const events = async (name: string) =>
  (await c.client.list<KubeObject & { reason?: string; message?: string; involvedObject?: { name?: string } }>(R.events, 'default')).items.filter((e) => e.involvedObject?.name === name);

test('a claim without a class gets the default one and the protection finalizer', async () => {
  const created = await c.client.create<PersistentVolumeClaim>(R.persistentvolumeclaims, 'default', claim('plain', { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }));
  assert.equal(created.spec?.storageClassName, 'local-path');
  assert.deepEqual(created.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  assert.equal(created.status?.phase, 'Pending');
  await eventually(async () => (await events('plain')).some((e) => e.reason === 'WaitForFirstConsumer' && e.message === 'waiting for first consumer to be created before binding'));
  const explicit = await c.client.create<PersistentVolumeClaim>(R.persistentvolumeclaims, 'default', claim('none', { accessModes: ['ReadWriteOnce'], storageClassName: '', resources: { requests: { storage: '1Gi' } } }));
  assert.equal(explicit.spec?.storageClassName, '');
  // A claim spec is fixed once made (accessModes here), and shrinking is refused.
  const changed = structuredClone(explicit);
  changed.spec!.accessModes = ['ReadOnlyMany'];
  await assert.rejects(() => c.client.update(R.persistentvolumeclaims, 'default', changed), (e: StatusError) => e.code === 422 && /spec is immutable after creation except resources.requests/.test(e.message));
});

test('a static volume binds the smallest fitting claim, is Released when the claim goes, and deletes once unprotected', async () => {
  const pv: PersistentVolume = {
    apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'manual-1' },
    spec: { capacity: { storage: '2Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', hostPath: { path: join(storageDir, 'manual-1') } },
  };
  const createdPV = await c.client.create<PersistentVolume>(R.persistentvolumes, undefined, pv);
  assert.deepEqual(createdPV.metadata.finalizers, ['kubernetes.io/pv-protection']);
  assert.equal(createdPV.spec?.persistentVolumeReclaimPolicy, 'Retain');
  await c.client.create(R.persistentvolumeclaims, 'default', claim('static', { accessModes: ['ReadWriteOnce'], storageClassName: 'manual', resources: { requests: { storage: '1Gi' } } }));
  await eventually(async () => {
    const [pvc, vol] = [await getClaim('static'), await getVolume('manual-1')];
    assert.equal(pvc.status?.phase, 'Bound');
    assert.equal(pvc.spec?.volumeName, 'manual-1');
    assert.deepEqual(pvc.status?.capacity, { storage: '2Gi' });
    assert.equal(pvc.metadata.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(vol.status?.phase, 'Bound');
    assert.equal(vol.spec?.claimRef?.uid, pvc.metadata.uid);
  });
  if (existsSync(kubectlBin)) {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(kubectlBin, ['get', 'pvc,pv', '-n', 'default'], { env: { ...process.env, KUBECONFIG: c.kubeconfig, HOME: c.dir } }, (err, stdout, stderr) =>
        err ? reject(new Error(stderr)) : resolve(stdout),
      ),
    );
    assert.match(out, /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE$/m);
    assert.match(out, /^persistentvolumeclaim\/static\s+Bound\s+manual-1\s+2Gi\s+RWO\s+manual\s+<unset>\s+\d+s$/m);
    assert.match(out, /^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE$/m);
    assert.match(out, /^persistentvolume\/manual-1\s+2Gi\s+RWO\s+Retain\s+Bound\s+default\/static\s+manual\s+<unset>\s+\d+s$/m);
  }
  // Growing a bound claim needs a class that allows expansion (PersistentVolumeClaimResize).
  const grow = await getClaim('static');
  grow.spec!.resources!.requests!['storage'] = '2Gi';
  await assert.rejects(
    () => c.client.update(R.persistentvolumeclaims, 'default', grow),
    (e: StatusError) =>
      e.code === 403 &&
      e.message === 'persistentvolumeclaims "static" is forbidden: only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize',
  );
  // Deleting a Bound volume waits (pv-protection) until its claim is gone and it is Released.
  await c.client.delete(R.persistentvolumes, undefined, 'manual-1');
  assert.ok((await getVolume('manual-1')).metadata.deletionTimestamp);
  await c.client.delete(R.persistentvolumeclaims, 'default', 'static');
  await gone(() => getClaim('static'));
  await gone(() => getVolume('manual-1'));
});

test('WaitForFirstConsumer: the selected node gets a local-path directory, bound, removed with the claim', async () => {
  await c.client.create(R.nodes, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels: { 'kubernetes.io/hostname': 'n1' } } });
  const created = await c.client.create<PersistentVolumeClaim>(
    R.persistentvolumeclaims, 'default', claim('wffc', { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '64Mi' } } }),
  );
  await eventually(async () => (await events('wffc')).some((e) => e.reason === 'WaitForFirstConsumer'));
  assert.equal((await getClaim('wffc')).spec?.volumeName, undefined);
  // What the scheduler does once it picked a node for the claim's first pod.
  await retryOnConflict(async () => {
    const cur = await getClaim('wffc');
    cur.metadata.annotations = { ...cur.metadata.annotations, 'volume.kubernetes.io/selected-node': 'n1' };
    await c.client.update(R.persistentvolumeclaims, 'default', cur);
  });
  const pvName = `pvc-${created.metadata.uid}`;
  const dir = join(storageDir, `${pvName}_default_wffc`);
  await eventually(async () => {
    const pvc = await getClaim('wffc');
    assert.equal(pvc.status?.phase, 'Bound');
    assert.equal(pvc.spec?.volumeName, pvName);
  });
  const pv = await getVolume(pvName);
  assert.deepEqual(pv.spec?.hostPath, { path: dir, type: 'DirectoryOrCreate' });
  assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Delete');
  assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms?.[0]?.matchExpressions?.[0]?.values, ['n1']);
  assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'], 'rancher.io/local-path');
  assert.ok(existsSync(dir));
  const reasons = (await events('wffc')).map((e) => e.reason);
  for (const r of ['ExternalProvisioning', 'Provisioning', 'ProvisioningSucceeded']) assert.ok(reasons.includes(r), `${r} in ${reasons.join(',')}`);
  await c.client.delete(R.persistentvolumeclaims, 'default', 'wffc');
  await gone(() => getVolume(pvName));
  assert.ok(!existsSync(dir), `${dir} still there: ${readdirSync(storageDir).join(',')}`);
});

test('a claim in use by a pod stays until the pod goes (pvc-protection)', async () => {
  await c.client.create(R.persistentvolumeclaims, 'default', claim('used', { accessModes: ['ReadWriteOnce'], storageClassName: '', resources: { requests: { storage: '1Gi' } } }));
  await c.client.create(R.pods, 'default', {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'user' },
    spec: { containers: [{ name: 'c', image: 'agnhost:1' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'used' } }] },
  });
  await c.client.delete(R.persistentvolumeclaims, 'default', 'used');
  await new Promise((r) => setTimeout(r, 300));
  const still = await getClaim('used');
  assert.ok(still.metadata.deletionTimestamp);
  assert.deepEqual(still.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  await c.client.delete(R.pods, 'default', 'user', { gracePeriodSeconds: 0 });
  await gone(() => getClaim('used'));
});
