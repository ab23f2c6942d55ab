// Per-resource behaviour the generic store calls around storage writes, as upstream's
// genericregistry.Store's BeginCreate/BeginUpdate/AfterDelete hooks, its graceful-deletion
// strategy and admission. What a write may change is the strategy's (registry/entry.ts).
import type { KubeObject } from '../../api/meta.js';
import type { RequestContext } from './context.js';

/** Work done before a write that must be undone if the write fails (e.g. an allocated ClusterIP). */
export interface Txn {
  // Undoing or finishing an allocation may itself be a storage write (an IPAddress deleted, a
  // RangeAllocation updated), so both may be asynchronous; the store waits for them.
  commit(): void | Promise<void>;
  revert(): void | Promise<void>;
}

export const noTxn: Txn = { commit() {}, revert() {} };

export interface StoreHooks {
  /** Runs after defaulting, before validation; may allocate. */
  beginCreate?(obj: KubeObject, ctx: RequestContext): Txn | Promise<Txn>;
  beginUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): Txn | Promise<Txn>;
  /** Runs once the object is gone from storage. */
  afterDelete?(obj: KubeObject): void | Promise<void>;
  /** Seconds to wait before the object really goes (pods on a node); 0 deletes at once. */
  gracePeriodSeconds?(obj: KubeObject, requested: number | undefined): number;
  /** True while something besides metadata.finalizers keeps a deleted object (a Namespace's spec.finalizers). */
  pendingFinalization?(obj: KubeObject): boolean;
  /** Marks an object whose deletion has begun but must wait (a Namespace becomes Terminating). */
  beginGracefulDelete?(obj: KubeObject): void;
  /** Extra checks on create that need the store (e.g. the namespace exists and is not terminating). */
  admit?(obj: KubeObject, ctx: RequestContext): Promise<void>;
}

/** Admission plugins run in order; the first refusal ends the request. */
export function chainAdmit(...plugins: (StoreHooks['admit'] | undefined)[]): StoreHooks['admit'] {
  const present = plugins.filter((p): p is NonNullable<StoreHooks['admit']> => p !== undefined);
  if (present.length <= 1) return present[0];
  return async (obj, ctx) => {
    for (const p of present) await p(obj, ctx);
  };
}
