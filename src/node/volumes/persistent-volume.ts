// persistentVolumeClaim volumes (the kubelet's desired-state populator and the hostPath/local
// volume plugins): the claim must be bound, and the volume it is bound to must be one this node
// can mount, a hostPath or a local directory (what the local-path provisioner makes). The pod
// waits, with a FailedMount event naming why, until then; the claim is read at every sync, so
// binding is seen at the next retry.
import { mkdirSync } from 'node:fs';
import type { Pod } from '../../api/core.js';
import type { PersistentVolume, PersistentVolumeClaim } from '../../api/storage.js';
import type { Client } from '../../client/client.js';
import { R } from '../../client/resources.js';
import { StatusError } from '../../machinery/status.js';
import { checkHostPathType, type HostPathType } from './host-path.js';

/** Finds the directory backing a pod's claim. */
export type ClaimVolumes = (pod: Pod, claimName: string) => Promise<string>;

async function getOrExplain<T>(f: () => Promise<T>, what: string): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof StatusError && e.code === 404) throw new Error(`${what} not found`);
    throw e;
  }
}

/** The claim's volume through the API (the Node authorizer lets a node read both once a pod of its uses the claim). */
export function claimVolumesFrom(client: Client): ClaimVolumes {
  return async (pod, claimName) => {
    const ns = pod.metadata.namespace ?? 'default';
    const pvc = await getOrExplain(() => client.get<PersistentVolumeClaim>(R.persistentvolumeclaims, ns, claimName), `persistentvolumeclaim "${claimName}"`);
    if (pvc.metadata.deletionTimestamp) throw new Error(`error processing PVC ${ns}/${claimName}: PVC is being deleted`);
    if (pvc.status?.phase !== 'Bound' || !pvc.spec?.volumeName) throw new Error(`error processing PVC ${ns}/${claimName}: PVC is not bound`);
    const pvName = pvc.spec.volumeName;
    const pv = await getOrExplain(() => client.get<PersistentVolume>(R.persistentvolumes, undefined, pvName), `persistentvolume "${pvName}"`);
    if (pv.spec?.claimRef?.uid && pv.spec.claimRef.uid !== pvc.metadata.uid) {
      throw new Error(`error processing PVC ${ns}/${claimName}: volume ${pvName} is bound to another claim`);
    }
    return volumePath(pv);
  };
}

/** The directory of a volume this node mounts: hostPath (made as its type says) or local (must exist). */
export function volumePath(pv: PersistentVolume): string {
  const spec = pv.spec ?? {};
  if (spec.hostPath?.path) {
    if (spec.hostPath.type === 'DirectoryOrCreate') mkdirSync(spec.hostPath.path, { recursive: true, mode: 0o777 });
    checkHostPathType(spec.hostPath.path, (spec.hostPath.type ?? '') as HostPathType);
    return spec.hostPath.path;
  }
  if (spec.local?.path) {
    checkHostPathType(spec.local.path, 'Directory');
    return spec.local.path;
  }
  throw new Error(`volume ${pv.metadata.name ?? ''} has a source this node cannot mount (only hostPath and local are supported)`);
}

/** Volumes the pod mounts read-only whatever its containers ask (persistentVolumeClaim.readOnly). */
export function readOnlyVolumes(pod: Pod): Set<string> {
  const out = new Set<string>();
  for (const v of (pod.spec.volumes ?? []) as { name: string; persistentVolumeClaim?: { readOnly?: boolean } }[]) {
    if (v.persistentVolumeClaim?.readOnly) out.add(v.name);
  }
  return out;
}
