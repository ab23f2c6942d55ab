// The verbs on resources: maps an HTTP request on a resource path to the registry store and
// writes the answer as upstream's handlers do (status codes, List and Table shapes, watch streams).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../api/meta.js';
import { errors, StatusError } from '../../machinery/status.js';
import type { FieldError } from '../../machinery/field.js';
import { goJsonKind } from '../../machinery/goformat.js';
import { apiVersionOf, type ResourceInfo } from '../resources.js';
import type { Store, DeleteOptions } from '../store/store.js';
import type { CachedObject } from '../store/cached-object.js';
import { newContext, type RequestContext } from '../store/context.js';
import { compileMatcher } from '../store/selectors.js';
import { toTable, type IncludeObject } from '../tables/index.js';
import { includeObjectParam } from '../tables/negotiate.js';
import type { ResourceRoute } from './route.js';
import { Params } from './params.js';
import { listOptions } from './list-options.js';
import { parseResourceVersion } from '../store/resource-version.js';
import { decodeObject, mediaType, readBody } from './body.js';
import { addWarnings, sendJSON, sendRaw } from './respond.js';
import { negotiate, type Representation } from './negotiate.js';
import { checkFields } from './field-validation.js';
import { applyPatch, patchStored, patchTypes } from './patch.js';
import { checkKind } from './kind-check.js';
import { applyPatchType, validatePatchOptions } from './apply.js';
import { managerFromUserAgent } from '../../machinery/fieldmanager/index.js';
import { serveWatch } from './watch-handler.js';
import { scaleOf, applyScale } from './scale.js';
import { checkTypeMetaTypes, decodeDeleteOptions, decodePatchedObject, decodeRequestObject, gvkOf, scaleGVK } from './typed-body.js';

export interface Subresources {
  /** Extra subresource handlers (pods/log, pods/exec, ...) registered by other components. */
  [resourceSlashSub: string]: (req: IncomingMessage, res: ServerResponse, route: ResourceRoute, store: Store) => Promise<void>;
}

export class ResourceHandler {
  constructor(
    private readonly stores: Map<ResourceInfo, Store>,
    private readonly subresources: Subresources = {},
  ) {}

  async handle(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, url: URL): Promise<void> {
    const store = this.stores.get(route.info);
    if (!store) throw errors.notFound({ group: route.info.group, resource: route.info.resource }, route.name ?? '');
    const p = new Params(url.searchParams);
    const method = req.method ?? 'GET';
    const info = route.info;
    const ctx = newContext({ dryRun: p.dryRun(), fieldValidation: p.fieldValidation() });
    if (info.namespaced && route.namespace !== undefined) ctx.namespace = route.namespace;
    const optionsKind = method === 'POST' ? 'CreateOptions' : method === 'PUT' ? 'UpdateOptions' : method === 'PATCH' ? 'PatchOptions' : undefined;
    if (optionsKind) {
      p.checkFieldManager(optionsKind);
      ctx.fieldManager = p.str('fieldManager') || managerFromUserAgent(req.headers['user-agent']);
    }
    const sub = route.subresource;

    if (sub && sub !== 'status' && sub !== 'scale' && sub !== 'finalize') {
      const h = this.subresources[`${info.resource}/${sub}`];
      if (!h) throw errors.notFound({ group: info.group, resource: `${info.resource}/${sub}` }, route.name ?? '');
      return h(req, res, route, store);
    }

    if (route.name === undefined) {
      switch (method) {
        case 'GET':
          if (p.bool('watch')) return serveWatch(req, res, store, route, p, negotiate(req.headers.accept));
          return this.list(req, res, store, route, p);
        case 'POST':
          return this.create(req, res, store, ctx);
        case 'DELETE':
          return this.deleteCollection(req, res, store, route, p, ctx);
        default:
          throw errors.methodNotSupported({ group: info.group, resource: info.resource }, method.toLowerCase());
      }
    }

    if (sub === 'scale') return this.scale(req, res, store, route, ctx, method);
    switch (method) {
      case 'GET': {
        // A get at a resourceVersion is served once the cache is at least that new, as upstream's.
        await store.waitForResourceVersion(parseResourceVersion(p.str('resourceVersion') ?? ''));
        const o = await store.get(route.namespace, route.name);
        return this.sendObject(req, res, store, 200, o);
      }
      case 'PUT':
        return this.update(req, res, store, route, ctx);
      case 'PATCH':
        return this.patch(req, res, store, route, ctx, p);
      case 'DELETE':
        if (sub) throw errors.methodNotSupported({ group: info.group, resource: `${info.resource}/${sub}` }, 'delete');
        return this.delete(req, res, store, route, p, ctx);
      default:
        throw errors.methodNotSupported({ group: info.group, resource: info.resource }, method.toLowerCase());
    }
  }

  private includeObject(url: URL): IncludeObject {
    return includeObjectParam(url.searchParams.get('includeObject'));
  }

  private tableBody(store: Store, objs: KubeObject[], rep: Representation, url: URL, listMeta?: object): string {
    const t = toTable(store.info.resource, store.info.group, objs, {
      includeObject: this.includeObject(url),
      ...(listMeta ? { listMeta } : {}),
    });
    if (rep.as === 'Table' && rep.version === 'v1beta1') return JSON.stringify({ ...t, apiVersion: 'meta.k8s.io/v1beta1' });
    return JSON.stringify(t);
  }

  private sendObject(req: IncomingMessage, res: ServerResponse, store: Store, code: number, o: CachedObject | KubeObject): void {
    const rep = negotiate(req.headers.accept);
    const obj = 'json' in o && typeof o.json === 'function' ? (o as CachedObject) : undefined;
    if (rep.as === 'Table') {
      const url = new URL(req.url ?? '/', 'http://x');
      const plain = obj ? obj.obj : (o as KubeObject);
      sendRaw(res, code, this.tableBody(store, [plain], rep, url, { resourceVersion: plain.metadata.resourceVersion }), tableType(rep));
      return;
    }
    sendRaw(res, code, obj ? obj.json() : JSON.stringify(o));
  }

  private async list(req: IncomingMessage, res: ServerResponse, store: Store, route: ResourceRoute, p: Params): Promise<void> {
    const rep = negotiate(req.headers.accept);
    const opts = listOptions(p, false);
    const matcher = compileMatcher(store.info, p.str('labelSelector'), p.str('fieldSelector'));
    p.int('timeoutSeconds'); // unused by a list, but a malformed one is still the client's 400
    const result = await store.list(route.namespace, {
      matcher,
      ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
      ...(opts.continue ? { continue: opts.continue } : {}),
      ...(opts.resourceVersion !== undefined ? { resourceVersion: opts.resourceVersion } : {}),
      ...(opts.resourceVersionMatch ? { resourceVersionMatch: opts.resourceVersionMatch } : {}),
    });
    const meta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
    if (result.continue) meta.continue = result.continue;
    if (result.remainingItemCount !== undefined) meta.remainingItemCount = result.remainingItemCount;
    if (rep.as === 'Table') {
      const url = new URL(req.url ?? '/', 'http://x');
      sendRaw(res, 200, this.tableBody(store, result.items.map((i) => i.obj), rep, url, meta), tableType(rep));
      return;
    }
    // Items are spliced in as already-serialized JSON: a 10,000-object list costs one join.
    const head = JSON.stringify({ kind: `${store.info.kind}List`, apiVersion: apiVersionOf(store.info), metadata: meta });
    const body = `${head.slice(0, -1)},"items":[${result.items.map((i) => i.json()).join(',')}]}`;
    sendRaw(res, 200, body);
  }

  private async readObject(req: IncomingMessage, store: Store, ctx: RequestContext): Promise<KubeObject> {
    const buf = await readBody(req);
    const value = decodeObject(buf, mediaType(req));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw errors.badRequest(`Object 'Kind' is missing in '${buf.toString('utf8').slice(0, 200)}'`);
    }
    checkTypeMetaTypes(gvkOf(store.info), value as Record<string, unknown>, buf);
    checkKind(store.info, value as KubeObject);
    const obj = decodeRequestObject(gvkOf(store.info), value as Record<string, unknown>, buf);
    checkFields(store.info, obj, ctx);
    obj.metadata ??= {};
    if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) {
      throw errors.badRequest('metadata must be an object');
    }
    return obj;
  }

  private async create(req: IncomingMessage, res: ServerResponse, store: Store, ctx: RequestContext): Promise<void> {
    const obj = await this.readObject(req, store, ctx);
    const created = await store.create(ctx, obj);
    addWarnings(res, ctx.warnings);
    this.sendObject(req, res, store, 201, created);
  }

  private async update(req: IncomingMessage, res: ServerResponse, store: Store, route: ResourceRoute, ctx: RequestContext): Promise<void> {
    const obj = await this.readObject(req, store, ctx);
    const sub = route.subresource === 'finalize' ? 'finalize' : route.subresource;
    const { object, created } = await store.update(ctx, route.namespace, route.name!, obj, sub === 'finalize' ? undefined : sub);
    addWarnings(res, ctx.warnings);
    this.sendObject(req, res, store, created ? 201 : 200, object);
  }

  private async patch(req: IncomingMessage, res: ServerResponse, store: Store, route: ResourceRoute, ctx: RequestContext, p: Params): Promise<void> {
    const type = mediaType(req);
    if (!patchTypes.includes(type) && type !== applyPatchType) {
      throw new StatusError(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${[...patchTypes, applyPatchType].join(', ')}`,
      );
    }
    validatePatchOptions(type, p.str('fieldManager'), p.str('force'));
    const buf = await readBody(req);
    const patch = decodeObject(buf, type.endsWith('yaml') ? 'application/yaml' : 'application/json');
    const { object, created } = await patchStored(store, ctx, route.namespace, route.name!, route.subresource, type, patch, { force: p.bool('force') });
    addWarnings(res, ctx.warnings);
    this.sendObject(req, res, store, created ? 201 : 200, object);
  }

  private async deleteOptions(req: IncomingMessage, p: Params): Promise<DeleteOptions & { dryRun: boolean }> {
    const buf = await readBody(req);
    let body: Record<string, unknown> = {};
    if (buf.length && buf.toString('utf8').trim() !== '') {
      const v = decodeObject(buf, mediaType(req));
      // A body that is not a DeleteOptions must not be read as "no options": the delete would go
      // ahead with defaults the client never asked for.
      if (v === null || typeof v !== 'object' || Array.isArray(v)) {
        throw errors.badRequest(`json: cannot unmarshal ${goJsonKind(v)} into Go value of type v1.DeleteOptions`);
      }
      const kind = (v as Record<string, unknown>).kind;
      if (kind !== undefined && kind !== 'DeleteOptions') throw errors.badRequest('decoded object cannot be converted to DeleteOptions');
      body = decodeDeleteOptions(v as Record<string, unknown>);
    }
    const policy = (p.str('propagationPolicy') ?? body.propagationPolicy) as DeleteOptions['propagationPolicy'] | undefined;
    // Upstream's ValidateDeleteOptions.
    const causes: FieldError[] = [];
    if (policy !== undefined && body.orphanDependents !== undefined && body.orphanDependents !== null) {
      causes.push({ type: 'FieldValueInvalid', field: 'propagationPolicy', badValue: policy, detail: 'orphanDependents and deletionPropagation cannot be both set' });
    }
    if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
      causes.push({ type: 'FieldValueNotSupported', field: 'propagationPolicy', badValue: policy, detail: 'supported values: "Foreground", "Background", "Orphan", "nil"' });
    }
    const dryRuns = Array.isArray(body.dryRun) ? (body.dryRun as unknown[]) : [];
    if (dryRuns.some((d) => d !== 'All')) {
      causes.push({ type: 'FieldValueNotSupported', field: 'dryRun', badValue: dryRuns, detail: 'supported values: "All"' });
    }
    if (causes.length) throw errors.invalid('meta.k8s.io', 'DeleteOptions', '', causes);
    const grace = p.int('gracePeriodSeconds') ?? (body.gracePeriodSeconds as number | undefined);
    const opts: DeleteOptions & { dryRun: boolean } = {
      dryRun: p.dryRun() || (Array.isArray(body.dryRun) && body.dryRun.includes('All')),
    };
    if (policy) opts.propagationPolicy = policy;
    if (grace !== undefined) opts.gracePeriodSeconds = grace;
    if (body.preconditions && typeof body.preconditions === 'object') {
      opts.preconditions = body.preconditions as DeleteOptions['preconditions'] & object;
    }
    if (body.orphanDependents === true && !policy) opts.propagationPolicy = 'Orphan';
    return opts;
  }

  private async delete(req: IncomingMessage, res: ServerResponse, store: Store, route: ResourceRoute, p: Params, ctx: RequestContext): Promise<void> {
    const opts = await this.deleteOptions(req, p);
    ctx.dryRun = ctx.dryRun || opts.dryRun;
    const r = await store.delete(ctx, route.namespace, route.name!, opts);
    const code = r.deleted ? 200 : 202;
    if (store.info.returnDeletedObject || !r.deleted) {
      this.sendObject(req, res, store, code, r.object);
      return;
    }
    sendJSON(res, code, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: route.name, group: store.info.group, kind: store.info.resource, uid: r.object.metadata.uid },
    });
  }

  private async deleteCollection(
    req: IncomingMessage,
    res: ServerResponse,
    store: Store,
    route: ResourceRoute,
    p: Params,
    ctx: RequestContext,
  ): Promise<void> {
    if (!store.info.verbs.includes('deletecollection')) {
      throw errors.methodNotSupported({ group: store.info.group, resource: store.info.resource }, 'deletecollection');
    }
    // Upstream decodes and validates the collection's ListOptions here too.
    listOptions(p, false);
    const opts = await this.deleteOptions(req, p);
    ctx.dryRun = ctx.dryRun || opts.dryRun;
    const matcher = compileMatcher(store.info, p.str('labelSelector'), p.str('fieldSelector'));
    const listed = await store.list(route.namespace, { matcher });
    const items: KubeObject[] = [];
    for (const o of listed.items) {
      try {
        const r = await store.delete(ctx, o.obj.metadata.namespace, o.obj.metadata.name!, opts);
        items.push(r.object);
      } catch (e) {
        if (!(e instanceof StatusError && e.code === 404)) throw e;
      }
    }
    sendJSON(res, 200, {
      kind: `${store.info.kind}List`,
      apiVersion: apiVersionOf(store.info),
      metadata: { resourceVersion: listed.resourceVersion },
      items,
    });
  }

  private async scale(req: IncomingMessage, res: ServerResponse, store: Store, route: ResourceRoute, ctx: RequestContext, method: string): Promise<void> {
    if (method === 'GET') {
      const o = await store.get(route.namespace, route.name!);
      sendJSON(res, 200, scaleOf(o.obj));
      return;
    }
    if (method !== 'PUT' && method !== 'PATCH') {
      throw errors.methodNotSupported({ group: store.info.group, resource: `${store.info.resource}/scale` }, method.toLowerCase());
    }
    const type = mediaType(req);
    const buf = await readBody(req);
    const body = decodeObject(buf, type.endsWith('yaml') ? 'application/yaml' : 'application/json');
    // A Scale body is decoded as one (spec.replicas an int32) before it touches the object.
    const put = method === 'PUT' && body !== null && typeof body === 'object' && !Array.isArray(body)
      ? decodeRequestObject(scaleGVK, body as Record<string, unknown>, buf)
      : body;
    ctx.viaSubresource = 'scale';
    const { object } = await store.guaranteedUpdate(ctx, route.namespace, route.name!, undefined, (current) => {
      if (!current) throw errors.notFound({ group: store.info.group, resource: store.info.resource }, route.name!);
      const scale = method === 'PUT' ? put : decodePatchedObject(scaleGVK, applyPatch(undefined, scaleOf(current), type, body), type, body);
      return applyScale(current, scale);
    }, { patch: method === 'PATCH' });
    sendJSON(res, 200, scaleOf(object));
  }
}

/** Upstream answers Table requests with a plain JSON content type; the body's kind says it is a Table. */
function tableType(_rep: Representation): string {
  return 'application/json';
}
