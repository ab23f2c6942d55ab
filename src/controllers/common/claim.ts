// ControllerRefManager (upstream's BaseControllerRefManager.ClaimObject): a controller claims the
// objects it controls. Orphans matching its selector are adopted, objects it owns that no longer
// match are released, objects controlled by someone else are left alone. Adoption and release are
// patches of metadata.ownerReferences pinned to the object's uid and resourceVersion, so a
// concurrent change fails with a conflict and the next sync decides again.
import type { KubeObject, OwnerReference } from '../../api/meta.js';
import type { Client, ResourceRef } from '../../client/client.js';
import { getControllerOf } from './controller-ref.js';
import { isNotFound } from './errors.js';

export interface ClaimDecision<T extends KubeObject> {
  /** Already ours and still matching. */
  owned: T[];
  adopt: T[];
  release: T[];
}

/** The pure part of claiming: which objects are ours, which to adopt, which to release. */
export function classifyClaims<T extends KubeObject>(owner: KubeObject, objects: T[], matches: (o: T) => boolean): ClaimDecision<T> {
  const out: ClaimDecision<T> = { owned: [], adopt: [], release: [] };
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  for (const o of objects) {
    const ref = getControllerOf(o);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches(o)) out.owned.push(o);
      // A controller being deleted keeps what it has, so the garbage collector can finish.
      else if (!ownerDeleting) out.release.push(o);
      continue;
    }
    if (ownerDeleting || !matches(o)) continue;
    if (o.metadata.deletionTimestamp) continue;
    if (owner.metadata.namespace && owner.metadata.namespace !== o.metadata.namespace) continue;
    out.adopt.push(o);
  }
  return out;
}

/** Patch body adding `ref` to the object's ownerReferences. */
export function adoptPatch(obj: KubeObject, ref: OwnerReference): unknown {
  const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ref.uid);
  return { metadata: { ownerReferences: [...refs, ref], uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion } };
}

/** Patch body removing the ownerReference to `ownerUid`. */
export function releasePatch(obj: KubeObject, ownerUid: string): unknown {
  const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
  return {
    metadata: { ownerReferences: refs.length ? refs : null, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion },
  };
}

export interface ClaimOptions<T extends KubeObject> {
  client: Client;
  resource: ResourceRef;
  owner: KubeObject;
  controllerRef: OwnerReference;
  matches: (o: T) => boolean;
  /** Upstream's RecheckDeletionTimestamp: a fresh read of the owner, so a deleted owner adopts nothing. */
  canAdopt: () => Promise<void>;
}

/** Claims `objects`, returning those the owner controls afterwards (adopted included). */
export async function claimObjects<T extends KubeObject>(objects: T[], o: ClaimOptions<T>): Promise<T[]> {
  const d = classifyClaims(o.owner, objects, o.matches);
  const claimed = [...d.owned];
  let checked = false;
  for (const obj of d.adopt) {
    if (!checked) {
      await o.canAdopt();
      checked = true;
    }
    try {
      claimed.push(
        await o.client.patch<T>(o.resource, obj.metadata.namespace, obj.metadata.name ?? '', 'merge', adoptPatch(obj, o.controllerRef)),
      );
    } catch (e) {
      // Gone already: nothing to adopt. Other errors abort the sync, which is retried.
      if (!isNotFound(e)) throw e;
    }
  }
  for (const obj of d.release) {
    try {
      await o.client.patch(o.resource, obj.metadata.namespace, obj.metadata.name ?? '', 'merge', releasePatch(obj, o.owner.metadata.uid ?? ''));
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  return claimed;
}

/** The canAdopt check: fails when the owner is gone, replaced (other uid) or being deleted. */
export function recheckDeletionTimestamp(get: () => Promise<KubeObject>, uid: string | undefined): () => Promise<void> {
  return async () => {
    const fresh = await get();
    if (fresh.metadata.uid !== uid) throw new Error(`original ${fresh.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${uid}`);
    if (fresh.metadata.deletionTimestamp) throw new Error(`${fresh.metadata.namespace}/${fresh.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
  };
}
