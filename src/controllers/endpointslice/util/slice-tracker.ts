// EndpointSliceTracker (upstream's endpointslice/util): remembers, per Service (or Endpoints),
// the version of every EndpointSlice this controller wrote and which ones it deleted, so a sync
// can tell that its informer has not caught up with its own writes yet and back off instead of
// creating duplicates. Upstream compares metadata.generation; our API server does not keep a
// generation for EndpointSlices, so the resourceVersion (a store revision, always increasing)
// is compared instead when there is no generation.
import type { EndpointSlice } from '../../../api/discovery.js';
import type { EventHandlers } from '../../../client/informer-types.js';
import { LabelServiceName } from './labels.js';
import { StaleInformerCacheError } from '../../common/stale-cache.js';

const deletionExpected = -1n;

/** The number a slice's writes are ordered by. */
export function sliceVersion(slice: EndpointSlice): bigint {
  if (typeof slice.metadata.generation === 'number') return BigInt(slice.metadata.generation);
  const rv = slice.metadata.resourceVersion;
  return rv && /^[0-9]+$/.test(rv) ? BigInt(rv) : 0n;
}

function ownerKey(slice: EndpointSlice): string {
  return `${slice.metadata.namespace ?? ''}/${slice.metadata.labels?.[LabelServiceName] ?? ''}`;
}

export class EndpointSliceTracker {
  private readonly byService = new Map<string, Map<string, bigint>>();
  private readonly serviceUIDs = new Map<string, string>();

  private versionsFor(slice: EndpointSlice, create = false): Map<string, bigint> | undefined {
    const key = ownerKey(slice);
    let m = this.byService.get(key);
    if (!m && create) {
      m = new Map();
      this.byService.set(key, m);
    }
    return m;
  }

  has(slice: EndpointSlice): boolean {
    return this.versionsFor(slice)?.has(slice.metadata.uid ?? '') ?? false;
  }

  /** True unless this exact version (or a newer one) is one we wrote: our own writes need no sync. */
  shouldSync(slice: EndpointSlice): boolean {
    const v = this.versionsFor(slice)?.get(slice.metadata.uid ?? '');
    return v === undefined || sliceVersion(slice) > v;
  }

  /**
   * True when the cache lags behind our writes for this owner: a slice older than we wrote, one
   * we deleted still there, or one we wrote missing. An owner recreated under a new uid forgets
   * what was written for the old one.
   */
  staleSlices(owner: { namespace: string; name: string; uid: string | undefined }, slices: EndpointSlice[]): boolean {
    const key = `${owner.namespace}/${owner.name}`;
    const known = this.serviceUIDs.get(key);
    if (known && owner.uid && known !== owner.uid) this.byService.delete(key);
    if (owner.uid) this.serviceUIDs.set(key, owner.uid);
    const versions = this.byService.get(key);
    if (!versions) return false;
    const seen = new Set<string>();
    for (const s of slices) {
      const uid = s.metadata.uid ?? '';
      seen.add(uid);
      const v = versions.get(uid);
      if (v !== undefined && (v === deletionExpected || v > sliceVersion(s))) return true;
    }
    for (const [uid, v] of versions) if (v !== deletionExpected && !seen.has(uid)) return true;
    return false;
  }

  update(slice: EndpointSlice): void {
    this.versionsFor(slice, true)!.set(slice.metadata.uid ?? '', sliceVersion(slice));
  }

  expectDeletion(slice: EndpointSlice): void {
    this.versionsFor(slice, true)!.set(slice.metadata.uid ?? '', deletionExpected);
  }

  /** Forgets the slice; false when its deletion was not ours (the owner then needs a sync). */
  handleDeletion(slice: EndpointSlice): boolean {
    const m = this.versionsFor(slice);
    if (!m) return true;
    const uid = slice.metadata.uid ?? '';
    const v = m.get(uid);
    m.delete(uid);
    // An owner with nothing tracked is the same as an unknown one: dropping its empty record keeps
    // deleted Services from leaving one behind each (their slices' deletions come after deleteService).
    if (m.size === 0) this.byService.delete(ownerKey(slice));
    return v === undefined || v === deletionExpected;
  }

  /** Owners with something tracked (tests and diagnostics). */
  get trackedOwners(): number {
    return this.byService.size;
  }

  deleteService(namespace: string, name: string): void {
    this.byService.delete(`${namespace}/${name}`);
    this.serviceUIDs.delete(`${namespace}/${name}`);
  }
}

/** The error a sync returns when the cache is behind: the key is retried with backoff. */
export function staleSlicesError(what: string): StaleInformerCacheError {
  return new StaleInformerCacheError(`${what} informer cache is out of date`);
}

/**
 * The EndpointSlice handlers of a controller that owns slices (endpointslice, mirroring): react to
 * changes of our own slices that we did not make, and to slices moving between Services.
 */
export function managedSliceHandlers(
  tracker: EndpointSliceTracker,
  managedByUs: (s: EndpointSlice) => boolean,
  enqueueForSlice: (s: EndpointSlice) => void,
): EventHandlers<EndpointSlice> {
  return {
    onAdd: (s) => {
      if (managedByUs(s) && tracker.shouldSync(s)) enqueueForSlice(s);
    },
    onUpdate: (o, s) => {
      // Users may relabel a slice to another Service: both need a look.
      if (o.metadata.labels?.[LabelServiceName] !== s.metadata.labels?.[LabelServiceName]) {
        enqueueForSlice(s);
        enqueueForSlice(o);
        return;
      }
      if (managedByUs(o) !== managedByUs(s) || (managedByUs(s) && tracker.shouldSync(s))) enqueueForSlice(s);
    },
    onDelete: (s) => {
      // A deletion we did not ask for (or cannot account for after a restart) needs a resync.
      if (managedByUs(s) && (!tracker.has(s) || !tracker.handleDeletion(s))) enqueueForSlice(s);
    },
  };
}
