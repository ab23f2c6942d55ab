// The Client for components running inside the API server's process (`kubesvc up`): builds the
// same ResourceRequest the HTTP handler builds (its options turned into the query string an HTTP
// client sends) and calls the same verbs (handlers/verbs.ts): the same decoding, defaulting,
// validation, admission and dry-run, so a component cannot tell it from the HTTP client. Each
// client acts as one user (a component's identity) and every call is authorized as an HTTP
// request of that user would be, with the same 403. Objects cross the boundary as JSON text, as
// they would over the wire: the caller may change what it gets, and the store never keeps what it
// was given.
import type { KubeList, KubeObject } from '../api/meta.js';
import { StatusError } from '../machinery/status.js';
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
import { listQuery, patchContentType, watchQuery, writeQuery } from '../client/paths.js';
import { apiVersionOf } from './resources.js';
import type { Authorizer } from './auth/authorizer.js';
import { forbidden } from './auth/forbidden.js';
import { exactName, type RequestAttributes } from './auth/request-info.js';
import { loopbackUser, type ComponentIdentity } from './auth/component-identity.js';
import type { StorageMap } from './storage-map.js';
import type { CachedObject } from './store/cached-object.js';
import { resourceRequest, type ResourceRequest } from './handlers/request.js';
import {
  bookmarkObject,
  createObject,
  createSubresource,
  deleteObject,
  getObject,
  listMeta,
  listObjects,
  openWatch,
  patchObject,
  updateObject,
} from './handlers/verbs.js';
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

/** The verb an HTTP request for this call would be authorized as. */
type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';

export class LocalClient implements Client {
  /**
   * `api` is the ApiServer (its storage map and authorizer). Without an identity the client is the
   * API server's own loopback client (system:apiserver in system:masters), as upstream's is.
   */
  constructor(
    private readonly api: { readonly storage: StorageMap; readonly authorizer: Authorizer },
    readonly identity: ComponentIdentity = loopbackUser,
  ) {}

  /** Another client on the same server acting as `identity` (a component's own credentials). */
  as(identity: ComponentIdentity): LocalClient {
    return new LocalClient(this.api, identity);
  }

  /** The request an HTTP client would make: path parts and query, authorized for this client's user. */
  private request(
    res: ResourceRef,
    verb: Verb,
    parts: { namespace?: string | undefined; name?: string; subresource?: string | undefined },
    query: URLSearchParams,
  ): ResourceRequest {
    const storage = this.api.storage.find(res.group, res.version, res.resource);
    if (!storage) throw notServed(res);
    const sub = parts.subresource;
    if (sub && !storage.entry.info.subresources.includes(sub)) throw notServed(res, sub);
    if (parts.name === '') throw new Error(`resource name may not be empty (${res.resource})`);
    const r = resourceRequest(storage, parts, query);
    const { user, userAgent } = this.identity;
    const attrs: RequestAttributes = {
      isResourceRequest: true,
      path: '',
      verb,
      apiGroup: res.group,
      apiVersion: res.version,
      namespace: r.namespace ?? '',
      resource: res.resource,
      subresource: r.subresource ?? '',
      // A list or watch of one object by field selector is authorized as that object, as upstream does.
      name: r.name ?? (verb === 'list' || verb === 'watch' ? exactName(query.get('fieldSelector')) : undefined) ?? '',
    };
    const selector = query.get('fieldSelector');
    if (selector && (verb === 'list' || verb === 'watch')) attrs.fieldSelector = selector;
    const d = this.api.authorizer.decide(user, attrs);
    if (!d.allowed) throw forbidden(user, attrs, d.reason);
    r.user = user.name;
    r.userInfo = user;
    // managedFields record a write under the client's name, as upstream's user agent gives it.
    r.userAgent = userAgent;
    return r;
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
    return this.run(async () => (await getObject(this.request(res, 'get', { namespace, name }, new URLSearchParams()))).mutable() as T);
  }

  list<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.run(async () => {
      const r = this.request(res, 'list', { namespace }, listQuery(opts));
      const result = await listObjects(r);
      const info = r.storage.entry.info;
      return {
        kind: `${info.kind}List`,
        apiVersion: apiVersionOf(info),
        metadata: listMeta(result),
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
      const text = JSON.stringify(obj) ?? 'null';
      if (sub) {
        const name = obj?.metadata?.name ?? '';
        if (name === '') throw new Error(`resource name may not be empty (${res.resource})`);
        const r = this.request(res, 'create', { namespace: namespace ?? obj.metadata.namespace, name, subresource: sub }, writeQuery(opts));
        return wire(await createSubresource(r, JSON.parse(text))) as T;
      }
      const r = this.request(res, 'create', { namespace }, writeQuery(opts));
      const { object } = await createObject(r, JSON.parse(text), text);
      return wire(object) as T;
    });
  }

  update<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    obj: T,
    opts?: WriteOptions & { subresource?: 'status' | 'approval' },
  ): Promise<T> {
    return this.run(async () => {
      const name = obj?.metadata?.name ?? '';
      if (name === '') throw new Error(`resource name may not be empty (${res.resource})`);
      const r = this.request(res, 'update', { namespace: namespace ?? obj.metadata.namespace, name, subresource: opts?.subresource }, writeQuery(opts));
      const text = JSON.stringify(obj);
      const { object } = await updateObject(r, JSON.parse(text), text);
      return wire(object) as T;
    });
  }

  patch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts?: WriteOptions & { subresource?: 'status' | 'approval' },
  ): Promise<T> {
    return this.run(async () => {
      const r = this.request(res, 'patch', { namespace, name, subresource: opts?.subresource }, writeQuery(opts));
      const { object } = await patchObject(r, patchContentType[type], wire(patch));
      return wire(object) as T;
    });
  }

  delete(res: ResourceRef, namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<KubeObject | undefined> {
    return this.run(async () => {
      // The body HttpClient sends.
      const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
      if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
      if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
      if (opts.preconditions) body.preconditions = opts.preconditions;
      if (opts.dryRun) body.dryRun = ['All'];
      const answer = await deleteObject(this.request(res, 'delete', { namespace, name }, new URLSearchParams()), wire(body));
      // A Success Status means "gone", with no object to hand back.
      return answer.isObject ? wire(answer.body) : undefined;
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
        // The query HttpClient sends, parsed by the same code as the HTTP watch's.
        const r = this.request(res, 'watch', { namespace }, watchQuery(opts));
        const store = r.storage.store;
        const w = await openWatch(
          r,
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
        if (w.bookmarks) {
          const tick = () => {
            const rv = String(Math.max(lastRevision, store.cache.oldestResumable));
            push(() => ({ type: 'BOOKMARK', object: bookmarkObject(r, rv) as T }));
            timers[0] = setTimeout(tick, bookmarkIntervalMs);
          };
          timers[0] = setTimeout(tick, bookmarkIntervalMs);
        }
        const seconds = w.timeoutSeconds ?? 1800 + Math.floor(Math.random() * 1800);
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
