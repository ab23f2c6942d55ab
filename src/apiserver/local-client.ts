// The Client for components running inside the API server's process (`kubesvc up`): calls the
// registry stores directly, with the same steps the HTTP handler takes (kind and unknown-field
// checks, patch application, selectors, status codes turned into the same StatusErrors), so a
// component cannot tell it from the HTTP client. Objects cross the boundary as JSON copies, as
// they would over the wire: the caller may change what it gets, and the store never keeps what
// it was given.
import type { KubeList, KubeObject } from '../api/meta.js';
import { errors, StatusError } from '../machinery/status.js';
import type {
  Client,
  DeleteOptions,
  ListOptions,
  PatchType,
  ResourceRef,
  WatchEvent,
  WatchHandle,
  WatchOptions,
  WriteOptions,
} from '../client/client.js';
import { patchContentType } from '../client/paths.js';
import type { ApiServer } from './server.js';
import { apiVersionOf, findResource } from './resources.js';
import type { Store } from './store/store.js';
import type { CachedObject } from './store/cached-object.js';
import { newContext, type RequestContext } from './store/context.js';
import { compileMatcher } from './store/selectors.js';
import { patchStored } from './http/patch.js';
import { validatePatchOptions } from './http/apply.js';
import { checkKind } from './http/kind-check.js';
import { checkFields } from './http/field-validation.js';
import { toStatusError } from './http/respond.js';
import { logger } from '../util/log.js';

const log = logger('client');

/** What a JSON round trip does to a value: a deep copy without undefined, functions or prototypes. */
function wire<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** As the HTTP server answers a path it does not serve. */
function notServed(res: ResourceRef, sub?: string): StatusError {
  const path = `/${res.group ? `apis/${res.group}` : 'api'}/${res.version}/${res.resource}${sub ? `/*/${sub}` : ''}`;
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {
    causes: [{ reason: 'UnexpectedServerResponse', message: `404 page not found: ${path}` }],
  });
}

const bookmarkIntervalMs = 60_000;

/**
 * An in-process handler for a POST to a subresource (e.g. pods/binding), the counterpart of the
 * HTTP handler registered in ApiServer.subresources; resolves with the body the server would send.
 */
export type SubresourceCreate = (namespace: string | undefined, name: string, body: KubeObject, ctx: RequestContext) => Promise<KubeObject>;

export interface LocalClientOptions {
  /** By "<resource>/<subresource>", e.g. "pods/binding". */
  subresources?: Record<string, SubresourceCreate>;
}

export class LocalClient implements Client {
  constructor(
    private readonly api: ApiServer,
    private readonly opts: LocalClientOptions = {},
  ) {}

  private store(res: ResourceRef, sub?: string): Store {
    const info = findResource(res.group, res.version, res.resource);
    if (!info) throw notServed(res);
    if (sub && !info.subresources.includes(sub)) throw notServed(res, sub);
    return this.api.store(info.group, info.resource);
  }

  private context(store: Store, namespace: string | undefined, opts?: WriteOptions): RequestContext {
    // In-process components are recorded in managedFields as the HTTP client's user agent names them.
    const ctx = newContext({ dryRun: opts?.dryRun === true, fieldManager: opts?.fieldManager || 'kubesvc' });
    if (store.info.namespaced && namespace !== undefined) ctx.namespace = namespace;
    return ctx;
  }

  /** What the HTTP handler's readObject accepts, on a private copy of the caller's object. */
  private body(store: Store, obj: KubeObject, ctx: RequestContext): KubeObject {
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw errors.badRequest("Object 'Kind' is missing");
    const copy = wire(obj);
    checkKind(store.info, copy);
    checkFields(store.info, copy, ctx);
    copy.metadata ??= {};
    if (typeof copy.metadata !== 'object' || Array.isArray(copy.metadata)) throw errors.badRequest('metadata must be an object');
    return copy;
  }

  /** Errors leave as StatusErrors, as the HTTP client would see them. */
  private async run<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toStatusError(e);
    }
  }

  get<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string): Promise<T> {
    return this.run(async () => (await this.store(res).get(namespace, name)).mutable() as T);
  }

  list<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.run(async () => {
      const store = this.store(res);
      const matcher = compileMatcher(store.info, opts.labelSelector, opts.fieldSelector);
      const result = await store.list(store.info.namespaced ? namespace : undefined, {
        matcher,
        ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
        ...(opts.continue ? { continue: opts.continue } : {}),
      });
      const metadata: KubeList['metadata'] = { resourceVersion: result.resourceVersion };
      if (result.continue) metadata.continue = result.continue;
      if (result.remainingItemCount !== undefined) metadata.remainingItemCount = result.remainingItemCount;
      return {
        kind: `${store.info.kind}List`,
        apiVersion: apiVersionOf(store.info),
        metadata,
        items: result.items.map((i) => i.mutable() as T),
      };
    });
  }

  create<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    obj: T,
    opts?: WriteOptions & { subresource?: string },
  ): Promise<T> {
    return this.run(async () => {
      const sub = opts?.subresource;
      const store = this.store(res, sub);
      if (sub) {
        const ns = namespace ?? obj?.metadata?.namespace;
        const ctx = this.context(store, ns, opts);
        const name = obj?.metadata?.name ?? '';
        if (name === '') throw new Error(`resource name may not be empty (${res.resource})`);
        // As the HTTP handler: a subresource nobody registered is not found.
        const handler = this.opts.subresources?.[`${store.info.resource}/${sub}`];
        if (!handler) throw errors.notFound({ group: store.info.group, resource: `${store.info.resource}/${sub}` }, name);
        return wire(await handler(store.info.namespaced ? ns : undefined, name, wire(obj), ctx)) as T;
      }
      const ctx = this.context(store, namespace, opts);
      const created = await store.create(ctx, this.body(store, obj, ctx));
      return wire(created) as T;
    });
  }

  update<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    obj: T,
    opts?: WriteOptions & { subresource?: 'status' },
  ): Promise<T> {
    return this.run(async () => {
      const sub = opts?.subresource;
      const store = this.store(res, sub);
      const name = obj?.metadata?.name ?? '';
      if (name === '') throw new Error(`resource name may not be empty (${res.resource})`);
      const ns = namespace ?? obj.metadata.namespace;
      const ctx = this.context(store, ns, opts);
      const { object } = await store.update(ctx, store.info.namespaced ? ns : undefined, name, this.body(store, obj, ctx), sub);
      return wire(object) as T;
    });
  }

  patch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts?: WriteOptions & { subresource?: 'status' },
  ): Promise<T> {
    return this.run(async () => {
      const sub = opts?.subresource;
      const store = this.store(res, sub);
      const ctx = this.context(store, namespace, opts);
      const body = wire(patch);
      validatePatchOptions(patchContentType[type], opts?.fieldManager, opts?.force ? 'true' : undefined);
      const { object } = await patchStored(store, ctx, store.info.namespaced ? namespace : undefined, name, sub, patchContentType[type], body, { force: opts?.force === true });
      return wire(object) as T;
    });
  }

  delete(res: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KubeObject | undefined> {
    return this.run(async () => {
      const store = this.store(res);
      const ctx = this.context(store, namespace, opts);
      const del: Parameters<Store['delete']>[3] = {};
      if (opts.propagationPolicy) del.propagationPolicy = opts.propagationPolicy;
      if (opts.gracePeriodSeconds !== undefined) del.gracePeriodSeconds = opts.gracePeriodSeconds;
      if (opts.preconditions) del.preconditions = { ...opts.preconditions };
      const r = await store.delete(ctx, store.info.namespaced ? namespace : undefined, name, del);
      // The HTTP handler answers a finished delete with a Success Status unless the kind returns the object.
      if (store.info.returnDeletedObject || !r.deleted) return wire(r.object);
      return undefined;
    });
  }

  watch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    opts: WatchOptions,
    onEvent: (ev: WatchEvent<T>) => void,
    onClose?: (err?: Error) => void,
  ): WatchHandle {
    // Events are queued and delivered from a later macrotask: a handler that writes must not
    // re-enter the store while it is still notifying watchers, and the HTTP client's events
    // arrive asynchronously too.
    const queue: (() => WatchEvent<T>)[] = [];
    let scheduled = false;
    let closed = false;
    let closeErr: Error | undefined;
    let closing = false;
    let stopStore: (() => void) | undefined;
    const timers: NodeJS.Timeout[] = [];
    let lastRevision = 0;

    const flush = () => {
      scheduled = false;
      while (queue.length && !closed) {
        const ev = queue.shift()!();
        try {
          onEvent(ev);
        } catch (e) {
          // A failing consumer must not take the delivery loop (or the process) down with it.
          log.error(`watch handler for ${res.resource} failed`, e);
        }
      }
      if (closing && !closed) finish();
    };
    const schedule = () => {
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    };
    const finish = () => {
      closed = true;
      stopStore?.();
      for (const t of timers) clearTimeout(t);
      onClose?.(closeErr);
    };
    /** Ends after the events already queued (as a server ends a stream after what it wrote). */
    const end = (err?: Error) => {
      if (closing || closed) return;
      closing = true;
      closeErr = err;
      stopStore?.();
      schedule();
    };
    const push = (make: () => WatchEvent<T>) => {
      if (closing || closed) return;
      queue.push(make);
      schedule();
    };

    void (async () => {
      try {
        const store = this.store(res);
        const matcher = compileMatcher(store.info, opts.labelSelector, opts.fieldSelector);
        const w = await store.watch(
          store.info.namespaced ? namespace : undefined,
          { matcher, ...(opts.resourceVersion !== undefined ? { resourceVersion: opts.resourceVersion } : {}) },
          (type, o: CachedObject) => {
            if (o.revision > lastRevision) lastRevision = o.revision;
            // Copied at delivery: the cached object is immutable, so this is the state at the event.
            push(() => ({ type, object: o.mutable() as T }));
          },
        );
        stopStore = w.stop;
        if (lastRevision < w.revision) lastRevision = w.revision;
        if (closing || closed) {
          w.stop();
          return;
        }
        if (opts.allowWatchBookmarks) {
          const tick = () => {
            const rv = String(Math.max(lastRevision, store.cache.oldestResumable));
            push(() => ({ type: 'BOOKMARK', object: { kind: store.info.kind, apiVersion: apiVersionOf(store.info), metadata: { resourceVersion: rv } } as T }));
            timers[0] = setTimeout(tick, bookmarkIntervalMs);
          };
          timers[0] = setTimeout(tick, bookmarkIntervalMs);
        }
        const seconds = opts.timeoutSeconds ?? 1800 + Math.floor(Math.random() * 1800);
        timers.push(setTimeout(() => end(), seconds * 1000));
      } catch (e) {
        const se = toStatusError(e);
        // As the HTTP watch handler: a too-old resourceVersion is an ERROR event on the stream.
        if (se.code === 410) push(() => ({ type: 'ERROR', object: se.toStatus() as unknown as T }));
        end(se);
      }
    })();

    return {
      stop: () => {
        if (closed) return;
        queue.length = 0;
        closeErr = undefined;
        closing = true;
        finish();
      },
    };
  }
}
