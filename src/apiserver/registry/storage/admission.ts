// The storage admission plugins kube-apiserver enables by default: DefaultStorageClass (a claim
// that names no class gets the default one), StorageObjectInUseProtection (claims and volumes get
// the finalizers the protection controllers remove once nothing uses them) and
// PersistentVolumeClaimResize (a claim grows only if its class allows expansion).
import type { KubeObject } from '../../../api/meta.js';
import {
  claimClass,
  isDefaultStorageClass,
  PVCProtectionFinalizer,
  PVProtectionFinalizer,
  type PersistentVolumeClaim,
  type StorageClass,
} from '../../../api/storage.js';
import { Quantity } from '../../../api/quantity.js';
import { errors } from '../../../machinery/status.js';
import { everything } from '../../store/selectors.js';
import type { Store } from '../../store/store.js';

function addFinalizer(obj: KubeObject, f: string): void {
  const list = (obj.metadata.finalizers ??= []);
  if (!list.includes(f)) list.push(f);
}

/** The default class, as upstream's GetDefaultClass: the newest of those marked, then by name. */
export async function defaultStorageClass(classes: Store): Promise<StorageClass | undefined> {
  const { items } = await classes.list(undefined, { matcher: everything });
  const marked = items.map((c) => c.obj as StorageClass).filter(isDefaultStorageClass);
  marked.sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta > tb ? -1 : 1;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
  return marked[0];
}

/** Admission on PersistentVolumeClaim create. */
export function admitClaim(classes: () => Store) {
  return async (obj: KubeObject): Promise<void> => {
    const pvc = obj as PersistentVolumeClaim;
    addFinalizer(pvc, PVCProtectionFinalizer);
    const spec = (pvc.spec ??= {});
    if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
    if (pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] !== undefined) return;
    const def = await defaultStorageClass(classes());
    if (def) spec.storageClassName = def.metadata.name;
  };
}

/** Admission on PersistentVolume create. */
export function admitVolume(obj: KubeObject): Promise<void> {
  addFinalizer(obj, PVProtectionFinalizer);
  return Promise.resolve();
}

function storageRequest(pvc: PersistentVolumeClaim): Quantity | undefined {
  const s = pvc.spec?.resources?.requests?.['storage'];
  try {
    return s === undefined ? undefined : Quantity.parse(String(s));
  } catch {
    return undefined;
  }
}

/** PersistentVolumeClaimResize on update: growing a claim needs a bound, dynamically provisioned volume of an expandable class. */
export function admitClaimResize(classes: () => Store) {
  return async (obj: KubeObject, old: KubeObject): Promise<void> => {
    const pvc = obj as PersistentVolumeClaim;
    const prev = old as PersistentVolumeClaim;
    const n = storageRequest(pvc);
    const o = storageRequest(prev);
    if (!n || !o || n.compare(o) <= 0) return;
    const gr = { group: '', resource: 'persistentvolumeclaims' };
    const name = pvc.metadata.name ?? '';
    if (prev.status?.phase !== 'Bound') throw errors.forbidden(gr, name, 'Only bound persistent volume claims can be expanded');
    const className = claimClass(prev);
    const sc = className ? ((await classes().find(undefined, className))?.obj as StorageClass | undefined) : undefined;
    if (!sc?.allowVolumeExpansion) {
      throw errors.forbidden(gr, name, 'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
    }
  };
}
