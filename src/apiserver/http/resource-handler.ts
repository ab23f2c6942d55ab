// The verbs on resources over HTTP: turns a request on a resource path into a ResourceRequest for
// the shared verbs (../handlers/verbs.ts, which the in-process client calls too) and writes the
// answer as upstream's handlers do (status codes, List and Table shapes, watch streams).
import type { UserInfo } from '../auth/user.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../api/meta.js';
import { errors } from '../../machinery/status.js';
import { apiVersionOf } from '../resources.js';
import type { Store } from '../store/store.js';
import { storedText, type CachedObject } from '../store/cached-object.js';
import type { RequestContext } from '../store/context.js';
import type { StorageMap, ResourceStorage } from '../storage-map.js';
import { toTable, type IncludeObject } from '../tables/index.js';
import { includeObjectParam } from '../tables/negotiate.js';
import type { ResourceRoute } from './route.js';
import { decodeObject, mediaType, readBody } from './body.js';
import { addWarnings, sendJSON, sendRaw, toStatusError } from './respond.js';
import { negotiate, type Representation } from './negotiate.js';
import { applyPatch, checkPatchType } from './patch.js';
import { serveWatch } from './watch-handler.js';
import { serveWatchOverWebSocket } from './watch-websocket.js';
import { queryBool } from './params.js';
import type { Duplex } from 'node:stream';
import { scaleOf, applyScale, checkScaleBodyKind } from './scale.js';
import { checkTypeMetaTypes, decodePatchedObject, decodeRequestObject, scaleGVK } from './typed-body.js';
import { requestContext, resourceRequest, type ResourceRequest } from '../handlers/request.js';
import {
  createObject,
  createSubresource,
  deleteCollection,
  deleteObject,
  getObject,
  listMeta,
  listObjects,
  listQuery,
  patchObject,
  updateObject,
} from '../handlers/verbs.js';

export interface Subresources {
  /** Handlers registered by other components by "<resource>/<subresource>"; they take precedence over the registry entry's. */
  [resourceSlashSub: string]: (req: IncomingMessage, res: ServerResponse, route: ResourceRoute, store: Store) => Promise<void>;
}

/** Subresources every entry that lists them gets from the generic store. */
const generic = new Set(['status', 'approval', 'scale', 'finalize']);

export class ResourceHandler {
  constructor(
    private readonly storage: StorageMap,
    private readonly subresources: Subresources = {},
  ) {}

  private request(req: IncomingMessage, route: ResourceRoute, url: URL, user?: UserInfo): { storage: ResourceStorage; r: ResourceRequest } {
    const info = route.info;
    const storage = this.storage.get(info);
    if (!storage) throw errors.notFound({ group: info.group, resource: info.resource }, route.name ?? '');
    const r = resourceRequest(storage, route, url.searchParams);
    if (req.headers['user-agent'] !== undefined) r.userAgent = req.headers['user-agent'];
    if (user) {
      r.user = user.name;
      r.userInfo = user;
    }
    return { storage, r };
  }

  /** Whether an upgrade request is a watch of a collection (served as WebSocket messages). */
  static isWatchUpgrade(route: ResourceRoute, url: URL): boolean {
    return route.name === undefined && !route.subresource && queryBool(url.searchParams.get('watch'));
  }

  /** A watch asked for over WebSocket (watch-websocket.ts). */
  async watchOverWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, route: ResourceRoute, url: URL, user?: UserInfo): Promise<void> {
    const { r } = this.request(req, route, url, user);
    await serveWatchOverWebSocket(req, socket, head, (gone, res) => serveWatch(gone, res, r, negotiate(req.headers.accept)), toStatusError);
  }

  async handle(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, url: URL, user?: UserInfo): Promise<void> {
    const info = route.info;
    const method = req.method ?? 'GET';
    const { storage, r } = this.request(req, route, url, user);
    const optionsKind = method === 'POST' ? 'CreateOptions' : method === 'PUT' ? 'UpdateOptions' : method === 'PATCH' ? 'PatchOptions' : undefined;
    const sub = route.subresource;
    if (storage.read) return this.read(req, res, route, r, method);
    // A subresource that serves requests itself (the proxies pass the query on as it is) reads
    // no options from it; only a create on a subresource (pods/binding) has a context.
    if (sub && !generic.has(sub)) return this.subresource(req, res, route, storage, r, () => requestContext(r, optionsKind));
    const ctx = requestContext(r, optionsKind);
    // Reviews are answered, not stored: POST on the collection is all there is.
    if (storage.review && (method !== 'POST' || route.name !== undefined || sub)) {
      throw errors.methodNotSupported({ group: info.group, resource: info.resource }, method.toLowerCase());
    }

    if (route.name === undefined) {
      switch (method) {
        case 'GET':
          if (r.query.bool('watch')) return serveWatch(req, res, r, negotiate(req.headers.accept));
          return this.list(req, res, r);
        case 'POST': {
          const buf = await readBody(req);
          const { object } = await createObject(r, decodeObject(buf, mediaType(req)), buf, ctx);
          addWarnings(res, ctx.warnings);
          return this.sendObject(req, res, storage, 201, object);
        }
        case 'DELETE':
          return sendJSON(res, 200, await deleteCollection(r, () => this.deleteBody(req), ctx));
        default:
          throw errors.methodNotSupported({ group: info.group, resource: info.resource }, method.toLowerCase());
      }
    }

    if (sub === 'scale') return this.scale(req, res, storage.store, route, ctx, method);
    switch (method) {
      case 'GET':
        return this.sendObject(req, res, storage, 200, await getObject(r));
      case 'PUT': {
        const buf = await readBody(req);
        const { object, created } = await updateObject(r, decodeObject(buf, mediaType(req)), buf, ctx);
        addWarnings(res, ctx.warnings);
        return this.sendObject(req, res, storage, created ? 201 : 200, object);
      }
      case 'PATCH':
        return this.patch(req, res, r, ctx);
      case 'DELETE': {
        if (sub) throw errors.methodNotSupported({ group: info.group, resource: `${info.resource}/${sub}` }, 'delete');
        const answer = await deleteObject(r, await this.deleteBody(req), ctx);
        if (answer.isObject) return this.sendObject(req, res, storage, answer.code, answer.body);
        return sendJSON(res, answer.code, answer.body);
      }
      default:
        throw errors.methodNotSupported({ group: info.group, resource: info.resource }, method.toLowerCase());
    }
  }

  /** A subresource with behaviour of its own: a handler someone registered, else the entry's. */
  private async subresource(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    storage: ResourceStorage,
    r: ResourceRequest,
    context: () => RequestContext,
  ): Promise<void> {
    const info = route.info;
    const sub = route.subresource!;
    const registered = this.subresources[`${info.resource}/${sub}`];
    if (registered) return registered(req, res, route, storage.store);
    const rest = storage.subresources[sub];
    const method = req.method ?? 'GET';
    if (rest?.create && (method === 'POST' || !rest.serve)) {
      if (method !== 'POST') throw errors.methodNotSupported({ group: info.group, resource: `${info.resource}/${sub}` }, method.toLowerCase());
      const buf = await readBody(req);
      const body = decodeObject(buf, mediaType(req));
      return sendJSON(res, 201, await createSubresource(r, body, context()));
    }
    if (rest?.serve) return rest.serve(req, res, route);
    throw errors.notFound({ group: info.group, resource: `${info.resource}/${sub}` }, route.name ?? '');
  }

  /** A read-only resource (metrics.k8s.io): GET of one object or of the collection, nothing else. */
  private async read(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, r: ResourceRequest, method: string): Promise<void> {
    const info = route.info;
    const storage = r.storage;
    const watch = method === 'GET' && r.query.bool('watch');
    if (method !== 'GET' || watch || route.subresource) {
      throw errors.methodNotSupported({ group: info.group, resource: info.resource }, watch ? 'watch' : method.toLowerCase());
    }
    if (route.name !== undefined) return this.sendObject(req, res, storage, 200, await storage.read!.get(r.namespace, route.name));
    // Nothing pages or resumes here, but malformed list options are still the client's 400, as
    // the generic server decodes them before metrics-server sees the request.
    const { matcher } = listQuery(r);
    const items = await storage.read!.list(r.namespace, (o) => matcher.matches(o));
    const rep = negotiate(req.headers.accept);
    if (rep.as === 'Table') {
      sendRaw(res, 200, this.tableBody(storage, items, rep, new URL(req.url ?? '/', 'http://x'), {}), tableType(rep));
      return;
    }
    sendJSON(res, 200, { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata: {}, items });
  }

  private includeObject(url: URL): IncludeObject {
    return includeObjectParam(url.searchParams.get('includeObject'));
  }

  private tableBody(storage: ResourceStorage, objs: KubeObject[], rep: Representation, url: URL, listMeta?: object): string {
    const t = toTable(storage.entry.printer, objs, {
      includeObject: this.includeObject(url),
      ...(listMeta ? { listMeta } : {}),
    });
    if (rep.as === 'Table' && rep.version === 'v1beta1') return JSON.stringify({ ...t, apiVersion: 'meta.k8s.io/v1beta1' });
    return JSON.stringify(t);
  }

  private sendObject(req: IncomingMessage, res: ServerResponse, storage: ResourceStorage, code: number, o: CachedObject | KubeObject): void {
    const rep = negotiate(req.headers.accept);
    const obj = 'json' in o && typeof o.json === 'function' ? (o as CachedObject) : undefined;
    if (rep.as === 'Table') {
      const url = new URL(req.url ?? '/', 'http://x');
      const plain = obj ? obj.obj : (o as KubeObject);
      sendRaw(res, code, this.tableBody(storage, [plain], rep, url, { resourceVersion: plain.metadata.resourceVersion }), tableType(rep));
      return;
    }
    sendRaw(res, code, obj ? obj.json() : (storedText(o as KubeObject) ?? JSON.stringify(o)));
  }

  private async list(req: IncomingMessage, res: ServerResponse, r: ResourceRequest): Promise<void> {
    const store = r.storage.store;
    const rep = negotiate(req.headers.accept);
    const result = await listObjects(r);
    const meta = listMeta(result);
    if (rep.as === 'Table') {
      const url = new URL(req.url ?? '/', 'http://x');
      sendRaw(res, 200, this.tableBody(r.storage, result.items.map((i) => i.obj), rep, url, meta), tableType(rep));
      return;
    }
    // Items are spliced in as already-serialized JSON: a 10,000-object list costs one join.
    const head = JSON.stringify({ kind: `${store.info.kind}List`, apiVersion: apiVersionOf(store.info), metadata: meta });
    const body = `${head.slice(0, -1)},"items":[${result.items.map((i) => i.json()).join(',')}]}`;
    sendRaw(res, 200, body);
  }

  private async patch(req: IncomingMessage, res: ServerResponse, r: ResourceRequest, ctx: RequestContext): Promise<void> {
    const type = mediaType(req);
    checkPatchType(r.storage.entry.info, type);
    const buf = await readBody(req);
    const patch = decodeObject(buf, type.endsWith('yaml') ? 'application/yaml' : 'application/json');
    const { object, created } = await patchObject(r, type, patch, ctx);
    addWarnings(res, ctx.warnings);
    this.sendObject(req, res, r.storage, created ? 201 : 200, object);
  }

  /** A DELETE's body decoded, undefined when there is none. */
  private async deleteBody(req: IncomingMessage): Promise<unknown> {
    const buf = await readBody(req);
    if (!buf.length || buf.toString('utf8').trim() === '') return undefined;
    return decodeObject(buf, mediaType(req));
  }

  private async scale(req: IncomingMessage, res: ServerResponse, store: Store, route: ResourceRoute, ctx: RequestContext, method: string): Promise<void> {
    if (method === 'GET') {
      const o = await store.get(route.namespace, route.name!);
      sendJSON(res, 200, scaleOf(o.obj, store.info.scale));
      return;
    }
    if (method !== 'PUT' && method !== 'PATCH') {
      throw errors.methodNotSupported({ group: store.info.group, resource: `${store.info.resource}/scale` }, method.toLowerCase());
    }
    const type = mediaType(req);
    const buf = await readBody(req);
    const body = decodeObject(buf, type.endsWith('yaml') ? 'application/yaml' : 'application/json');
    // A Scale body is decoded as one (spec.replicas an int32) before it touches the object.
    const isObject = body !== null && typeof body === 'object' && !Array.isArray(body);
    if (method === 'PUT' && isObject) {
      checkTypeMetaTypes(scaleGVK, body as Record<string, unknown>, buf);
      checkScaleBodyKind(body as Record<string, unknown>);
    }
    const put = method === 'PUT' && isObject ? decodeRequestObject(scaleGVK, body as Record<string, unknown>, buf) : body;
    // managedFields record this write of the main object under the subresource's name.
    ctx.viaSubresource = 'scale';
    const { object } = await store.guaranteedUpdate(ctx, route.namespace, route.name!, undefined, (current) => {
      if (!current) throw errors.notFound({ group: store.info.group, resource: store.info.resource }, route.name!);
      const scale = method === 'PUT' ? put : decodePatchedObject(scaleGVK, applyPatch(undefined, scaleOf(current, store.info.scale), type, body), type, body);
      return applyScale(current, scale, store.info.scale);
      // A Scale is written into the current object as a patch is: the write is pinned only by a
      // resourceVersion the Scale carries (upstream's scaleUpdatedObjectInfo), so a PUT without one
      // that loses a race with the controller's status write is retried, not answered 409.
    }, { patch: true });
    sendJSON(res, 200, scaleOf(object, store.info.scale));
  }
}

/** Upstream answers Table requests with a plain JSON content type; the body's kind says it is a Table. */
function tableType(_rep: Representation): string {
  return 'application/json';
}
