// The generic registry store, as upstream's genericregistry.Store: create, get, list, update,
// patch, delete and watch for one resource, over the storage backend (writes) and the watch
// cache (reads). What is particular to a resource comes from its registry entry: the strategy
// (defaults, validation, what a write may change) and the hooks (allocation, graceful deletion).
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/meta.js';
import type { Strategy } from './strategy.js';
import {
  type Backend,
  KeyExistsError,
  KeyNotFoundError,
  RevisionMismatchError,
  CompactedError,
} from '../../storage/backend.js';
import { errors, StatusError } from '../../machinery/status.js';
import { fieldErr, GoSyntax, type FieldError } from '../../machinery/field.js';
import { apiVersionOf, fieldManagerKind, keyPrefix, objectKey, type ResourceInfo } from '../resources.js';
import { CachedObject, rememberStoredText, type CacheEvent } from './cached-object.js';
import type { ResourceCache } from './resource-cache.js';
import type { WatchCache } from './watch-cache.js';
import { nowTimestamp, type RequestContext } from './context.js';
import { noTxn, type StoreHooks, type Txn } from './hooks.js';
import type { ObjectMatcher } from './selectors.js';
import { decodeContinue, encodeContinue } from './continue-token.js';
import { deepEqual } from './deep-equal.js';
import { omitEmptyMeta } from './omit-empty.js';
import { recordUpdate } from '../../machinery/fieldmanager/index.js';
import { blockTimeoutMs, parseResourceVersion, tooLargeResourceVersion } from './resource-version.js';

export interface ListOptions {
  matcher: ObjectMatcher;
  limit?: number;
  continue?: string;
  /** Validated by the caller (http/list-options.ts); "" or "0" means any. */
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
}

export interface ListResult {
  items: CachedObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteResult {
  object: KubeObject;
  /** False while finalizers or a grace period keep the object (HTTP 202). */
  deleted: boolean;
}

export interface WatchOptions {
  matcher: ObjectMatcher;
  resourceVersion?: string;
  sendInitialEvents?: boolean;
}

export type WatchSink = (type: 'ADDED' | 'MODIFIED' | 'DELETED', object: CachedObject) => void;

const generateChars = 'bcdfghjklmnpqrstvwxz2456789';
const maxRetries = 8;

/** Subresources that write status only: /status, and a CSR's /approval (its conditions). */
export const isStatusSubresource = (sub: string | undefined): sub is string => sub === 'status' || sub === 'approval';

function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += generateChars[Math.floor(Math.random() * generateChars.length)];
  return s;
}

/** Everything but metadata.resourceVersion, for "did this update change anything". */
function comparable(o: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...meta } = o.metadata ?? {};
  return { ...o, metadata: meta };
}

export class Store {
  readonly prefix: string;
  readonly cache: ResourceCache;
  readonly gr: { group: string; resource: string };

  constructor(
    readonly info: ResourceInfo,
    private readonly strategy: Strategy,
    private readonly backend: Backend,
    private readonly watchCache: WatchCache,
    private readonly hooks: StoreHooks = {},
  ) {
    this.prefix = keyPrefix(info);
    this.cache = watchCache.get(this.prefix);
    this.gr = { group: info.group, resource: info.resource };
  }

  private key(namespace: string | undefined, name: string): string {
    return objectKey(this.info, namespace, name);
  }

  private invalid(name: string, errs: FieldError[]): StatusError {
    return errors.invalid(this.info.group, this.info.kind, name, errs);
  }

  /** Sets apiVersion and kind, which storage omits and clients expect. */
  private typed(obj: KubeObject): KubeObject {
    obj.apiVersion = apiVersionOf(this.info);
    obj.kind = this.info.kind;
    if (obj.metadata) omitEmptyMeta(obj.metadata);
    return obj;
  }

  /** A write of `stored` made `obj` revision `revision`: its resourceVersion, and the text its answer is (cached-object.ts). */
  private written(obj: KubeObject, stored: string, revision: number): void {
    obj.metadata.resourceVersion = String(revision);
    rememberStoredText(obj, stored, revision);
  }

  private encode(obj: KubeObject): string {
    const { resourceVersion: _rv, ...meta } = obj.metadata;
    const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = obj;
    return JSON.stringify({ apiVersion: apiVersionOf(this.info), kind: this.info.kind, metadata: meta, ...rest });
  }

  // ---- reads ----

  /**
   * The object as this version serves it. The served versions of a CRD share one key prefix and
   * watch cache, and an object keeps the apiVersion it was written with; conversion None, the
   * only one served, changes nothing but apiVersion (upstream's nopConverter), so a read through
   * another version gets a copy with this version's.
   */
  private served(o: CachedObject): CachedObject;
  private served(o: CachedObject | undefined): CachedObject | undefined;
  private served(o: CachedObject | undefined): CachedObject | undefined {
    const apiVersion = apiVersionOf(this.info);
    if (!o) return o;
    const written = o.apiVersion;
    if (written === apiVersion || written === undefined) return o;
    return new CachedObject(o.key, { ...o.obj, apiVersion }, o.revision);
  }

  async get(namespace: string | undefined, name: string): Promise<CachedObject> {
    await this.watchCache.sync();
    const o = this.cache.objects.get(this.key(namespace, name));
    if (!o) throw errors.notFound(this.gr, name);
    return this.served(o);
  }

  /** Like get, but undefined when absent. */
  async find(namespace: string | undefined, name: string): Promise<CachedObject | undefined> {
    await this.watchCache.sync();
    return this.served(this.cache.objects.get(this.key(namespace, name)));
  }

  /**
   * Every object the watch cache holds now, of `namespace` when given: for in-process readers
   * that may trail the latest write by an event (no sync, no copy).
   */
  cachedObjects(namespace?: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const o of this.cache.objects.values()) if (namespace === undefined || o.obj.metadata.namespace === namespace) out.push(o.obj);
    return out;
  }

  /** The newest revision the watch cache has applied. */
  get revision(): number {
    return this.watchCache.revision;
  }

  /** Waits (upstream's blockTimeout) for the cache to reach `rv`, else upstream's 504 "Too large resource version". */
  async waitForResourceVersion(rv: number): Promise<void> {
    if (rv <= this.watchCache.revision) return;
    try {
      await this.watchCache.waitFor(rv, blockTimeoutMs);
    } catch {
      throw tooLargeResourceVersion(rv, this.watchCache.revision);
    }
  }

  async list(namespace: string | undefined, opts: ListOptions): Promise<ListResult> {
    const revision = await this.watchCache.sync();
    const scope = this.info.namespaced && namespace ? `${this.prefix}${namespace}/` : this.prefix;
    let startKey = scope;
    let listRevision = revision;
    const rv = parseResourceVersion(opts.resourceVersion ?? '');
    if (rv > 0 && !opts.continue) {
      await this.waitForResourceVersion(rv);
      // Exact, and the legacy paged list at a resourceVersion, read that snapshot from storage.
      const exact = opts.resourceVersionMatch === 'Exact' || (opts.resourceVersionMatch === undefined && (opts.limit ?? 0) > 0);
      if (exact && rv < this.watchCache.revision) {
        return this.listFromStorage(scope, scope, rv, opts, 'The resourceVersion for the provided list is too old.');
      }
    }
    if (opts.continue) {
      const tok = decodeContinue(opts.continue);
      if (!tok.start.startsWith(scope)) throw errors.badRequest('continue key is not valid: key is outside the requested scope');
      startKey = tok.start;
      listRevision = tok.rv;
      const since = this.cache.eventsSince(tok.rv);
      // The cache can serve the next page only if nothing changed since the first page.
      if (!since || since.length > 0) return this.listFromStorage(scope, startKey, listRevision, opts);
    }
    const keys = this.cache.sortedKeys();
    let i = lowerBound(keys, startKey);
    const items: CachedObject[] = [];
    const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
    for (; i < keys.length; i++) {
      const k = keys[i]!;
      if (!k.startsWith(scope)) break;
      const o = this.served(this.cache.objects.get(k)!);
      if (!opts.matcher.empty && !opts.matcher.matches(o.obj)) continue;
      if (items.length >= limit) {
        const res: ListResult = {
          items,
          resourceVersion: String(listRevision),
          continue: encodeContinue(listRevision, k),
        };
        if (opts.matcher.empty) res.remainingItemCount = countPrefix(keys, i, scope);
        return res;
      }
      items.push(o);
    }
    return { items, resourceVersion: String(listRevision) };
  }

  private async listFromStorage(
    scope: string,
    startKey: string,
    revision: number,
    opts: ListOptions,
    expired = 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
  ): Promise<ListResult> {
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: CachedObject[] = [];
    let start = startKey;
    for (;;) {
      let res;
      try {
        res = await this.backend.range(scope, { startKey: start, limit: limit ? limit + 1 : 0, revision });
      } catch (e) {
        if (e instanceof CompactedError) throw errors.resourceExpired(expired);
        throw e;
      }
      for (const kv of res.kvs) {
        const o = this.served(CachedObject.fromKeyValue(kv));
        if (!opts.matcher.empty && !opts.matcher.matches(o.obj)) continue;
        if (limit && items.length >= limit) {
          return { items, resourceVersion: String(revision), continue: encodeContinue(revision, kv.key) };
        }
        items.push(o);
      }
      if (!res.more || res.kvs.length === 0) break;
      start = res.kvs[res.kvs.length - 1]!.key + '\0';
    }
    return { items, resourceVersion: String(revision) };
  }

  // ---- create ----

  async create(ctx: RequestContext, input: KubeObject): Promise<KubeObject> {
    const obj = this.typed(input);
    obj.metadata ??= {};
    const meta = obj.metadata;
    if (this.info.namespaced) {
      if (meta.namespace && ctx.namespace && meta.namespace !== ctx.namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = ctx.namespace ?? meta.namespace;
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTimestamp();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.generation;
    const rules = this.strategy;
    rules.defaults(obj);
    this.recordManagedFields(undefined, obj, ctx, undefined);
    rules.prepareForCreate?.(obj);
    if (this.hooks.admit) await this.hooks.admit(obj, ctx);
    let txn: Txn = noTxn;
    if (this.hooks.beginCreate) txn = await this.hooks.beginCreate(obj, ctx);
    try {
      const errs = rules.validateCreate(obj);
      if (errs.length) throw this.invalid(meta.name ?? meta.generateName ?? '', errs);
      if (rules.warningsOnCreate) ctx.warnings.push(...rules.warningsOnCreate(obj));
      if (ctx.dryRun) {
        await txn.revert();
        return obj;
      }
      const stored = this.encode(obj);
      const kv = await this.backend.create(this.key(meta.namespace, meta.name!), stored);
      await txn.commit();
      this.written(obj, stored, kv.modRevision);
      return obj;
    } catch (e) {
      await txn.revert();
      if (e instanceof KeyExistsError) throw errors.alreadyExists(this.gr, meta.name!);
      throw e;
    }
  }

  // ---- update and patch ----

  /**
   * Reads the current object, asks `transform` for the new one, validates and writes it with a
   * compare-and-swap on the revision read, retrying on a lost race unless the client pinned a
   * resourceVersion (then the race is the client's 409).
   */
  async guaranteedUpdate(
    ctx: RequestContext,
    namespace: string | undefined,
    name: string,
    subresource: string | undefined,
    transform: (current: KubeObject | undefined) => Promise<KubeObject> | KubeObject,
    opts: { patch?: boolean; allowCreate?: boolean } = {},
  ): Promise<{ object: KubeObject; created: boolean }> {
    const key = this.key(namespace, name);
    let fresh: CachedObject | undefined | null = null; // null = read from cache
    let unconditional: boolean | undefined;
    for (let attempt = 0; ; attempt++) {
      let current: CachedObject | undefined;
      if (fresh === null) {
        await this.watchCache.sync();
        current = this.cache.objects.get(key);
      } else current = fresh;
      const input = this.typed(await transform(current ? current.mutable() : undefined));
      input.metadata ??= {};
      if (input.metadata.name !== undefined && input.metadata.name !== name) {
        throw errors.badRequest(`the name of the object (${input.metadata.name}) does not match the name on the URL (${name})`);
      }
      if (this.info.namespaced && input.metadata.namespace && input.metadata.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      input.metadata.name = name;
      if (this.info.namespaced) input.metadata.namespace = namespace;
      if (!current) {
        if (!(this.info.createOnUpdate || opts.allowCreate) || subresource) throw errors.notFound(this.gr, name);
        if (input.metadata.resourceVersion) throw errors.notFound(this.gr, name);
        try {
          return { object: await this.create(ctx, input), created: true };
        } catch (e) {
          if (e instanceof StatusError && e.reason === 'AlreadyExists' && attempt < maxRetries) {
            fresh = null;
            continue;
          }
          throw e;
        }
      }
      // A PUT body's resourceVersion pins the write to that version. A patch is applied to the
      // current object, so its result carries the current version unless the patch itself set
      // one: only then is it pinned (and a lost race retried otherwise), as upstream's patcher.
      // A PUT without a resourceVersion is an unconditional update where the kind allows one
      // (upstream's AllowUnconditionalUpdate: most built-in kinds): it takes the stored version and
      // a lost race is retried. Where it does not (Leases, CRDs, custom resources), upstream's 422.
      if (unconditional === undefined) unconditional = !opts.patch && !input.metadata.resourceVersion;
      if (unconditional) {
        if (this.strategy.allowUnconditionalUpdate === false) {
          throw errors.invalid(this.info.group, this.info.resource, name, [
            fieldErr.invalid('metadata.resourceVersion', new GoSyntax('0x0'), 'must be specified for an update'),
          ]);
        }
        input.metadata.resourceVersion = String(current.revision);
      }
      const given = input.metadata.resourceVersion;
      const pinned = unconditional ? undefined : opts.patch ? (given !== undefined && given !== String(current.revision) ? given : undefined) : given;
      if (pinned && pinned !== String(current.revision)) throw errors.modified(this.gr, name);
      if (input.metadata.uid && input.metadata.uid !== current.obj.metadata.uid) {
        throw errors.conflict(
          this.gr,
          name,
          `Precondition failed: UID in precondition: ${input.metadata.uid}, UID in object meta: ${current.obj.metadata.uid ?? ''}`,
        );
      }
      const old = current.obj;
      const obj = this.prepareUpdate(input, old, subresource);
      const rules = this.strategy;
      // Upstream defaults every request body, /status writes included (e.g. ingress ipMode VIP).
      rules.defaults(obj);
      this.recordManagedFields(old, obj, ctx, subresource);
      let txn: Txn = noTxn;
      if (!subresource && this.hooks.beginUpdate) txn = await this.hooks.beginUpdate(obj, old, ctx);
      try {
        const errs = isStatusSubresource(subresource) ? rules.validateStatusUpdate(obj, old) : rules.validateUpdate(obj, old);
        if (errs.length) throw this.invalid(name, errs);
        if (!isStatusSubresource(subresource) && rules.warningsOnUpdate) ctx.warnings.push(...rules.warningsOnUpdate(obj, old));
        if (deepEqual(comparable(obj), comparable(old))) {
          await txn.revert();
          return { object: current.mutable(), created: false };
        }
        if (ctx.dryRun) {
          await txn.revert();
          obj.metadata.resourceVersion = String(current.revision);
          return { object: obj, created: false };
        }
        if (obj.metadata.deletionTimestamp && !(obj.metadata.finalizers?.length) && this.finalizersDone(obj)) {
          const { prevKv, revision } = await this.backend.delete(key, current.revision);
          await txn.commit();
          const gone = CachedObject.fromKeyValue(prevKv).mutable();
          gone.metadata.resourceVersion = String(revision);
          await this.hooks.afterDelete?.(gone);
          return { object: gone, created: false };
        }
        const stored = this.encode(obj);
        const kv = await this.backend.update(key, stored, current.revision);
        await txn.commit();
        this.written(obj, stored, kv.modRevision);
        return { object: obj, created: false };
      } catch (e) {
        await txn.revert();
        if (e instanceof RevisionMismatchError) {
          // As etcd3's GuaranteedUpdate: a lost race is retried against the newer object for as
          // long as it takes (each loss means another writer succeeded, so the loop ends); a cap
          // would turn a busy object's unpinned patches into 409s the client never asked for.
          if (pinned) throw errors.modified(this.gr, name);
          fresh = CachedObject.fromKeyValue(e.current);
          continue;
        }
        if (e instanceof KeyNotFoundError) {
          if (attempt >= maxRetries) throw errors.notFound(this.gr, name);
          fresh = undefined;
          continue;
        }
        throw e;
      }
    }
  }

  /**
   * managedFields for every write, as upstream's fieldmanager: the write is an Update by its
   * field manager, unless server-side apply already worked them out (ctx.applied).
   */
  private recordManagedFields(old: KubeObject | undefined, obj: KubeObject, ctx: RequestContext, subresource: string | undefined): void {
    if (ctx.applied) return;
    const sub = subresource ?? ctx.viaSubresource;
    recordUpdate(fieldManagerKind(this.info), old, obj, { manager: ctx.fieldManager ?? '', ...(sub ? { subresource: sub } : {}) });
  }

  /** Whether nothing besides metadata.finalizers keeps the object (a Namespace's spec.finalizers do). */
  private finalizersDone(obj: KubeObject): boolean {
    return !this.hooks.pendingFinalization?.(obj);
  }

  /** Carries over what an update may not change, as BeforeUpdate and the strategies do. */
  private prepareUpdate(input: KubeObject, old: KubeObject, subresource: string | undefined): KubeObject {
    const obj = input;
    const m = obj.metadata;
    const om = old.metadata;
    m.uid = om.uid;
    m.creationTimestamp = om.creationTimestamp;
    if (om.deletionTimestamp) m.deletionTimestamp = om.deletionTimestamp;
    else delete m.deletionTimestamp;
    if (om.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
    else delete m.deletionGracePeriodSeconds;
    if (isStatusSubresource(subresource)) {
      // A status write changes status only: spec and the user-owned metadata stay as stored
      // (managedFields are the write's: recordManagedFields decides what they become).
      const keep = structuredClone(old);
      keep.status = obj.status;
      if (m.managedFields === undefined) delete keep.metadata.managedFields;
      else keep.metadata.managedFields = m.managedFields;
      keep.metadata.resourceVersion = m.resourceVersion;
      if (m.resourceVersion === undefined) delete keep.metadata.resourceVersion;
      this.strategy.prepareForStatusUpdate?.(keep, old, subresource);
      return keep;
    }
    delete m.generation;
    this.strategy.prepareForUpdate?.(obj, old);
    return obj;
  }

  /**
   * Stores `obj` exactly as given (no defaulting, validation or hooks) if the object is still at
   * `revision`: for the few system writes upstream also makes straight to storage, such as a
   * pod's binding. Throws the backend's RevisionMismatchError / KeyNotFoundError for the caller.
   */
  async writeAt(namespace: string | undefined, name: string, revision: number, obj: KubeObject): Promise<KubeObject> {
    const kv = await this.backend.update(this.key(namespace, name), this.encode(this.typed(obj)), revision);
    obj.metadata.resourceVersion = String(kv.modRevision);
    return obj;
  }

  async update(ctx: RequestContext, namespace: string | undefined, name: string, input: KubeObject, subresource?: string) {
    return this.guaranteedUpdate(ctx, namespace, name, subresource, () => structuredClone(input));
  }

  // ---- delete ----

  async delete(ctx: RequestContext, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<DeleteResult> {
    const key = this.key(namespace, name);
    for (let attempt = 0; ; attempt++) {
      await this.watchCache.sync();
      const current = this.cache.objects.get(key);
      if (!current) throw errors.notFound(this.gr, name);
      const pre = opts.preconditions;
      if (pre?.uid && pre.uid !== current.obj.metadata.uid) {
        throw errors.conflict(this.gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.obj.metadata.uid ?? ''}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== String(current.revision)) {
        throw errors.conflict(
          this.gr,
          name,
          `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${current.revision}`,
        );
      }
      const obj = current.mutable();
      const finalizers = new Set(obj.metadata.finalizers ?? []);
      if (opts.propagationPolicy === 'Orphan') finalizers.add('orphan');
      if (opts.propagationPolicy === 'Foreground') finalizers.add('foregroundDeletion');
      const grace = this.hooks.gracePeriodSeconds?.(obj, opts.gracePeriodSeconds) ?? 0;
      const pending = finalizers.size > 0 || grace > 0 || !this.finalizersDone(obj);
      if (ctx.dryRun) return { object: obj, deleted: !pending };
      if (pending) {
        if (!obj.metadata.deletionTimestamp || grace > 0) {
          const at = new Date(Date.now() + grace * 1000);
          const prevAt = obj.metadata.deletionTimestamp ? Date.parse(obj.metadata.deletionTimestamp) : Infinity;
          // A shorter grace period may move the deadline earlier, never later.
          if (at.getTime() < prevAt) {
            obj.metadata.deletionTimestamp = nowTimestamp(at);
            obj.metadata.deletionGracePeriodSeconds = grace;
          }
        }
        obj.metadata.finalizers = [...finalizers];
        if (!obj.metadata.finalizers.length) delete obj.metadata.finalizers;
        this.hooks.beginGracefulDelete?.(obj);
        try {
          const stored = this.encode(obj);
          const kv = await this.backend.update(key, stored, current.revision);
          this.written(obj, stored, kv.modRevision);
          return { object: obj, deleted: false };
        } catch (e) {
          if (e instanceof RevisionMismatchError && attempt < maxRetries) continue;
          throw e;
        }
      }
      try {
        const { revision } = await this.backend.delete(key, current.revision);
        obj.metadata.resourceVersion = String(revision);
        await this.hooks.afterDelete?.(obj);
        return { object: obj, deleted: true };
      } catch (e) {
        if ((e instanceof RevisionMismatchError || e instanceof KeyNotFoundError) && attempt < maxRetries) continue;
        throw e;
      }
    }
  }

  /** Removes an object whose grace period or finalization is over, whatever its finalizers say. */
  async forceRemove(namespace: string | undefined, name: string): Promise<void> {
    try {
      const { prevKv } = await this.backend.delete(this.key(namespace, name));
      await this.hooks.afterDelete?.(CachedObject.fromKeyValue(prevKv).obj);
    } catch (e) {
      if (!(e instanceof KeyNotFoundError)) throw e;
    }
  }

  // ---- watch ----

  /**
   * Streams events to `sink` until stopped. Without a resourceVersion (or with "0") the watch
   * starts with a synthetic ADDED per existing object; with one, it resumes after it or fails
   * with 410 when the cache's window no longer reaches back that far.
   */
  async watch(namespace: string | undefined, opts: WatchOptions, sink: WatchSink): Promise<{ stop(): void; revision: number }> {
    const scope = this.info.namespaced && namespace ? `${this.prefix}${namespace}/` : this.prefix;
    const rvText = opts.resourceVersion ?? '';
    let from: number | undefined;
    const parsed = parseResourceVersion(rvText);
    if (parsed > 0) from = parsed;
    // Ahead of the cache: a watch-list (sendInitialEvents) waits for it and may time out with
    // upstream's 504; a plain watch is established at once and sees only events after `from`.
    const ahead = from !== undefined && from > this.watchCache.revision;
    if (ahead && opts.sendInitialEvents === true) await this.waitForResourceVersion(from!);
    else if (!ahead) await this.watchCache.sync();
    // sendInitialEvents=false from "any" starts at the cache's current revision with no state.
    const initial = opts.sendInitialEvents ?? from === undefined;
    const m = opts.matcher;
    const deliver = (ev: CacheEvent) => {
      if (!ev.object.key.startsWith(scope)) return;
      if (from !== undefined && ev.revision <= from) return;
      // Without a selector nothing needs the objects parsed (cached-object.ts).
      const now = m.empty || m.matches(ev.object.obj);
      const before = ev.prev ? m.empty || m.matches(ev.prev.obj) : false;
      const o = this.served(ev.object);
      if (ev.type === 'DELETED') {
        if (before || now) sink('DELETED', o);
      } else if (ev.type === 'ADDED') {
        if (now) sink('ADDED', o);
      } else if (now && before) sink('MODIFIED', o);
      else if (now) sink('ADDED', o);
      else if (before) sink('DELETED', o);
    };
    // Replay and subscribe in the same tick, so no event falls between them.
    let replay: CacheEvent[] = [];
    if (!initial && from !== undefined && from <= this.watchCache.revision) {
      const since = this.cache.eventsSince(from!);
      if (!since) {
        throw errors.resourceExpired(`too old resource version: ${from} (${this.cache.oldestResumable})`);
      }
      replay = since;
    }
    const revision = Math.max(this.watchCache.revision, from ?? 0);
    const unsubscribe = this.cache.subscribe((evs) => {
      for (const ev of evs) deliver(ev);
    });
    if (initial) {
      for (const k of this.cache.sortedKeys()) {
        if (!k.startsWith(scope)) continue;
        const o = this.cache.objects.get(k)!;
        if (m.empty || m.matches(o.obj)) sink('ADDED', this.served(o));
      }
    } else {
      for (const ev of replay) deliver(ev);
    }
    return { stop: unsubscribe, revision };
  }
}

/** First index whose key is ≥ k. */
function lowerBound(keys: string[], k: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function countPrefix(keys: string[], from: number, scope: string): number {
  let n = 0;
  for (let i = from; i < keys.length && keys[i]!.startsWith(scope); i++) n++;
  return n;
}
