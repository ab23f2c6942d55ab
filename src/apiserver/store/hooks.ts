// Per-kind behaviour the generic store calls at fixed points, as upstream's RESTCreateStrategy,
// RESTUpdateStrategy and the registry's Begin/After hooks.
import type { KubeObject } from '../../api/meta.js';
import type { RequestContext } from './context.js';

/** Work done before a write that must be undone if the write fails (e.g. an allocated ClusterIP). */
export interface Txn {
  commit(): void;
  revert(): void;
}

export const noTxn: Txn = { commit() {}, revert() {} };

export interface StoreHooks {
  /** Resets fields clients may not set on create (usually status). */
  prepareForCreate?(obj: KubeObject): void;
  /** Resets fields an update of the main resource may not change (beyond status, which the store keeps). */
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Runs after defaulting, before validation; may allocate. */
  beginCreate?(obj: KubeObject, ctx: RequestContext): Txn | Promise<Txn>;
  beginUpdate?(obj: KubeObject, old: KubeObject, ctx: RequestContext): Txn | Promise<Txn>;
  /** Runs once the object is gone from storage. */
  afterDelete?(obj: KubeObject): void;
  /** Seconds to wait before the object really goes (pods on a node); 0 deletes at once. */
  gracePeriodSeconds?(obj: KubeObject, requested: number | undefined): number;
  /** Extra checks on create that need the store (e.g. the namespace exists and is not terminating). */
  admit?(obj: KubeObject, ctx: RequestContext): Promise<void>;
}
