// The garbage collector's decisions as pure functions (upstream's attemptToDeleteItem and
// processDeletingDependentsItem): given what is known of an object's owners, keep it, drop
// references to owners that are gone, or delete it with the right propagation policy.
import type { KubeObject, OwnerReference } from '../../api/meta.js';

export const foregroundDeletionFinalizer = 'foregroundDeletion';
export const orphanFinalizer = 'orphan';

/** What a lookup found for one ownerReference. */
export type OwnerState =
  /** The owner exists (same uid) and is not waiting for its dependents. */
  | 'solid'
  /** No object with that name and uid: it was deleted. */
  | 'dangling'
  /** The owner is being deleted in the foreground: its dependents must go first. */
  | 'waitingForDependentsDeletion';

export type Decision =
  | { action: 'none' }
  /** Remove these owner uids from the object's ownerReferences (it still has a live owner). */
  | { action: 'removeOwnerRefs'; uids: string[] }
  | { action: 'delete'; propagationPolicy: 'Background' | 'Foreground' | 'Orphan' };

export function hasFinalizer(obj: KubeObject, f: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(f);
}

/**
 * attemptToDeleteItem's switch. `hasDependents`: other objects list this one as an owner.
 * An object already being deleted is left to its own finalizers (handled elsewhere).
 */
export function decide(obj: KubeObject, states: Map<OwnerReference, OwnerState>, hasDependents: boolean): Decision {
  if (obj.metadata.deletionTimestamp) return { action: 'none' };
  const refs = obj.metadata.ownerReferences ?? [];
  if (refs.length === 0) return { action: 'none' };
  const solid: OwnerReference[] = [];
  const dangling: OwnerReference[] = [];
  const waiting: OwnerReference[] = [];
  for (const r of refs) {
    const s = states.get(r) ?? 'solid';
    (s === 'solid' ? solid : s === 'dangling' ? dangling : waiting).push(r);
  }
  if (solid.length) {
    if (dangling.length === 0 && waiting.length === 0) return { action: 'none' };
    // References to owners waiting on their dependents must go, or those owners would wait forever.
    return { action: 'removeOwnerRefs', uids: [...dangling, ...waiting].map((r) => r.uid) };
  }
  // Its owner deletes in the foreground and it has dependents of its own: those go first too.
  if (waiting.length && hasDependents) return { action: 'delete', propagationPolicy: 'Foreground' };
  if (hasFinalizer(obj, orphanFinalizer)) return { action: 'delete', propagationPolicy: 'Orphan' };
  if (hasFinalizer(obj, foregroundDeletionFinalizer)) return { action: 'delete', propagationPolicy: 'Foreground' };
  return { action: 'delete', propagationPolicy: 'Background' };
}

/** Dependents whose reference to `owner` blocks its foreground deletion. */
export function blockingDependents(owner: KubeObject, dependents: KubeObject[]): KubeObject[] {
  return dependents.filter((d) => (d.metadata.ownerReferences ?? []).some((r) => r.uid === owner.metadata.uid && r.blockOwnerDeletion === true));
}

/** The finalizers list without `f`, for the patch that lets deletion finish. */
export function withoutFinalizer(obj: KubeObject, f: string): string[] {
  return (obj.metadata.finalizers ?? []).filter((x) => x !== f);
}
