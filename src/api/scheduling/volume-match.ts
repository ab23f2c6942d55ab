// Which PersistentVolume a claim gets (upstream's findMatchingVolume / FindMatchingVolume): a
// volume already bound to the claim wins; otherwise the smallest Available volume of the claim's
// class and volume mode, large enough, with every access mode the claim asks for, matching the
// claim's selector and, once a node is chosen, whose node affinity admits that node. With
// delayed binding (WaitForFirstConsumer) and no node chosen yet, only pre-bound volumes match.
import type { Node } from '../core.js';
import { termMatches } from './nodeaffinity.js';
import { Quantity } from '../quantity.js';
import { claimClass, volumeClass, type PersistentVolume, type PersistentVolumeClaim } from '../storage.js';
import { selectorMatches } from '../validation/labels.js';

function quantity(q: unknown): Quantity | undefined {
  try {
    return q === undefined || q === null ? undefined : Quantity.parse(String(q));
  } catch {
    return undefined;
  }
}

/** IsVolumeBoundToClaim: the volume's claimRef names this claim (and its uid, when set). */
export function isVolumeBoundToClaim(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== pvc.metadata.name || (ref.namespace ?? '') !== (pvc.metadata.namespace ?? '')) return false;
  return !ref.uid || ref.uid === pvc.metadata.uid;
}

/** CheckNodeAffinity: a volume without node affinity fits every node. */
export function volumeFitsNode(pv: PersistentVolume, node: Node): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((t) => termMatches(t, node));
}

function accessModesSatisfied(pvc: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  const has = new Set(pv.spec?.accessModes ?? []);
  return (pvc.spec?.accessModes ?? []).every((m) => has.has(m));
}

export function findMatchingVolume(pvc: PersistentVolumeClaim, volumes: readonly PersistentVolume[], node: Node | undefined, delayBinding: boolean): PersistentVolume | undefined {
  const requested = quantity(pvc.spec?.resources?.requests?.['storage']) ?? new Quantity(0n, 1n);
  const wantMode = pvc.spec?.volumeMode ?? 'Filesystem';
  const wantClass = claimClass(pvc);
  let best: PersistentVolume | undefined;
  let bestSize: Quantity | undefined;
  for (const pv of volumes) {
    const spec = pv.spec ?? {};
    if (spec.claimRef && !isVolumeBoundToClaim(pv, pvc)) continue;
    const size = quantity(spec.capacity?.['storage']);
    if (!size || size.compare(requested) < 0) continue;
    if ((spec.volumeMode ?? 'Filesystem') !== wantMode) continue;
    if (pv.metadata.deletionTimestamp) continue;
    const fits = node ? volumeFitsNode(pv, node) : true;
    if (isVolumeBoundToClaim(pv, pvc)) return fits ? pv : undefined;
    if (!node && delayBinding) continue;
    if (pv.status?.phase !== 'Available') continue;
    if (pvc.spec?.selector && !selectorMatches(pvc.spec.selector, pv.metadata.labels)) continue;
    if (volumeClass(pv) !== wantClass) continue;
    if (!fits || !accessModesSatisfied(pvc, pv)) continue;
    if (!bestSize || bestSize.compare(size) > 0) {
      best = pv;
      bestSize = size;
    }
  }
  return best;
}
