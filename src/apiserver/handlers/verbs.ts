// The verbs on a resource, as upstream's endpoints/handlers run them, for the HTTP handler and
// the in-process client alike: query options validated, bodies decoded and checked
// (handlers/object-body.ts), the store called, and the answer given back as an object for the
// caller to send (HTTP) or copy (LocalClient).
import { admitNodeRequest, type Operation } from '../registry/node-restriction.js';
import { nodeNameOf } from '../auth/component-identity.js';
import type { KubeObject } from '../../api/meta.js';
import { errors, StatusError } from '../../machinery/status.js';
import { apiVersionOf } from '../resources.js';
import type { CachedObject } from '../store/cached-object.js';
import type { RequestContext } from '../store/context.js';
import { parseResourceVersion } from '../store/resource-version.js';
import { compileMatcher } from '../store/selectors.js';
import type { ListResult, WatchSink } from '../store/store.js';
import { listOptions } from '../http/list-options.js';
import { applyPatch, checkPatchType } from '../http/patch.js';
import { appliedObject, applyPatchType, checkApplyBody, validatePatchOptions } from '../http/apply.js';
import { checkFields } from '../http/field-validation.js';
import { checkKind } from '../http/kind-check.js';
import { decodePatchedObject, gvkOf } from '../http/typed-body.js';
import { deleteOptions } from './delete-options.js';
import { decodeObjectBody } from './object-body.js';
import { requestContext, type ResourceRequest } from './request.js';

function nameOf(req: ResourceRequest): string {
  if (req.name === undefined) throw new Error('a request on one object needs its name');
  return req.name;
}

/** GET of one object; a resourceVersion is waited for, as upstream's cache does. */
export async function getObject(req: ResourceRequest): Promise<CachedObject> {
  const store = req.storage.store;
  await store.waitForResourceVersion(parseResourceVersion(req.query.str('resourceVersion') ?? ''));
  return store.get(req.namespace, nameOf(req));
}

/** A list's options and selector from the query; malformed ones are the client's 400. */
export function listQuery(req: ResourceRequest): { opts: ReturnType<typeof listOptions>; matcher: ReturnType<typeof compileMatcher> } {
  const p = req.query;
  const opts = listOptions(p, false);
  const matcher = compileMatcher(req.storage.store.info, p.str('labelSelector'), p.str('fieldSelector'));
  p.int('timeoutSeconds'); // unused by a list, but a malformed one is still the client's 400
  return { opts, matcher };
}

export async function listObjects(req: ResourceRequest): Promise<ListResult> {
  const store = req.storage.store;
  const { opts, matcher } = listQuery(req);
  return store.list(req.namespace, {
    matcher,
    ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
    ...(opts.continue ? { continue: opts.continue } : {}),
    ...(opts.resourceVersion !== undefined ? { resourceVersion: opts.resourceVersion } : {}),
    ...(opts.resourceVersionMatch ? { resourceVersionMatch: opts.resourceVersionMatch } : {}),
  });
}

/** The list's metadata as upstream's ListMeta serializes it. */
export function listMeta(result: ListResult): { resourceVersion: string; continue?: string; remainingItemCount?: number } {
  const meta: { resourceVersion: string; continue?: string; remainingItemCount?: number } = { resourceVersion: result.resourceVersion };
  if (result.continue) meta.continue = result.continue;
  if (result.remainingItemCount !== undefined) meta.remainingItemCount = result.remainingItemCount;
  return meta;
}

export interface OpenedWatch {
  stop(): void;
  /** The revision the watch starts from. */
  revision: number;
  timeoutSeconds: number | undefined;
  bookmarks: boolean;
  sendInitialEvents: boolean;
}

/** Validates a watch's options and starts it; events go to `sink` (from the watch cache's dispatch). */
export async function openWatch(req: ResourceRequest, sink: WatchSink): Promise<OpenedWatch> {
  const store = req.storage.store;
  const p = req.query;
  const opts = listOptions(p, true);
  const matcher = compileMatcher(store.info, p.str('labelSelector'), p.str('fieldSelector'));
  const timeoutSeconds = p.int('timeoutSeconds');
  const bookmarks = p.bool('allowWatchBookmarks');
  const w = await store.watch(
    req.namespace,
    {
      matcher,
      ...(opts.resourceVersion !== undefined ? { resourceVersion: opts.resourceVersion } : {}),
      ...(opts.sendInitialEvents !== undefined ? { sendInitialEvents: opts.sendInitialEvents } : {}),
    },
    sink,
  );
  return { stop: w.stop, revision: w.revision, timeoutSeconds, bookmarks, sendInitialEvents: opts.sendInitialEvents === true };
}

/** A BOOKMARK event's object: only the kind and a resourceVersion. */
export function bookmarkObject(req: ResourceRequest, resourceVersion: string, annotations?: Record<string, string>): KubeObject {
  const info = req.storage.store.info;
  const metadata: KubeObject['metadata'] = { resourceVersion };
  if (annotations) metadata.annotations = annotations;
  return { kind: info.kind, apiVersion: apiVersionOf(info), metadata };
}

/** POST on the collection: `value` is the decoded body, `raw` the body as sent. */
export async function createObject(req: ResourceRequest, value: unknown, raw: Buffer | string, ctx = requestContext(req, 'CreateOptions')): Promise<{ object: KubeObject; ctx: RequestContext }> {
  const store = req.storage.store;
  const obj = decodeObjectBody(store.info, value, raw, ctx);
  if (req.storage.review) return { object: req.storage.review(ctx, obj), ctx };
  await admitNode(req, 'create', obj.metadata?.name ?? '', obj);
  return { object: await store.create(ctx, obj), ctx };
}

/** PUT on an object, its /status or /finalize. */
export async function updateObject(
  req: ResourceRequest,
  value: unknown,
  raw: Buffer | string,
  ctx = requestContext(req, 'UpdateOptions'),
): Promise<{ object: KubeObject; created: boolean; ctx: RequestContext }> {
  const store = req.storage.store;
  const obj = decodeObjectBody(store.info, value, raw, ctx);
  // /finalize writes spec.finalizers: the store treats it as an update of the main resource.
  const sub = req.subresource === 'finalize' ? undefined : req.subresource;
  await admitNode(req, 'update', nameOf(req), obj);
  const r = await store.update(ctx, req.namespace, nameOf(req), obj, sub);
  return { ...r, ctx };
}

/**
 * PATCH: the patch is applied to the current object inside the store's compare-and-swap loop, so
 * a concurrent writer causes a retry rather than a 409 (unless the patch itself pins a
 * resourceVersion); the result is decoded and checked as a body would be. An apply patch
 * (server-side apply) merges a configuration by its field manager instead, and creates the
 * object when there is none.
 */
export async function patchObject(
  req: ResourceRequest,
  contentType: string,
  patch: unknown,
  ctx = requestContext(req, 'PatchOptions'),
): Promise<{ object: KubeObject; created: boolean; ctx: RequestContext }> {
  const store = req.storage.store;
  const name = nameOf(req);
  const apply = contentType === applyPatchType;
  checkPatchType(store.info, contentType);
  validatePatchOptions(contentType, req.query.str('fieldManager'), req.query.str('force'));
  const force = req.query.bool('force');
  if (apply) {
    checkApplyBody(patch);
    ctx.applied = true;
  }
  const subresource = req.subresource === 'finalize' ? undefined : req.subresource;
  const { object, created } = await store.guaranteedUpdate(
    ctx,
    req.namespace,
    name,
    subresource,
    (current) => {
      if (!current && !apply) throw errors.notFound(store.gr, name);
      const out = apply
        ? appliedObject(store, ctx, current, subresource, patch as Record<string, unknown>, force)
        : applyPatch(store.info, current, contentType, patch);
      const patched = decodePatchedObject(gvkOf(store.info), out, contentType, patch);
      checkKind(store.info, patched);
      checkFields(store.info, patched, ctx);
      admitNodeWith(req, current ? 'update' : 'create', name, patched, current);
      return patched;
    },
    { patch: true, allowCreate: apply && !subresource },
  );
  return { object, created, ctx };
}

export interface DeleteAnswer {
  /** 200 when gone, 202 while finalizers or a grace period keep it. */
  code: 200 | 202;
  /** The object (kinds that return it, and anything not gone yet); otherwise a Success Status. */
  body: KubeObject;
  /** Whether `body` is the object rather than a Status. */
  isObject: boolean;
}

/** DELETE of one object; `body` is the decoded DeleteOptions body, undefined when none was sent. */
export async function deleteObject(req: ResourceRequest, body: unknown, ctx = requestContext(req)): Promise<DeleteAnswer> {
  const store = req.storage.store;
  const name = nameOf(req);
  const opts = deleteOptions(body, req.query);
  ctx.dryRun = ctx.dryRun || opts.dryRun;
  await admitNode(req, 'delete', name);
  const r = await store.delete(ctx, req.namespace, name, opts);
  const code = r.deleted ? 200 : 202;
  if (store.info.returnDeletedObject || !r.deleted) return { code, body: r.object, isObject: true };
  const status = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    details: { name, group: store.info.group, kind: store.info.resource, uid: r.object.metadata.uid },
  };
  return { code, body: status as unknown as KubeObject, isObject: false };
}

/**
 * DELETE on the collection: every object the selectors match, as a List of what was deleted.
 * `body` reads the DeleteOptions body, once the resource is known to allow this.
 */
export async function deleteCollection(req: ResourceRequest, body: () => Promise<unknown>, ctx = requestContext(req)): Promise<KubeObject> {
  const store = req.storage.store;
  const p = req.query;
  if (!store.info.verbs.includes('deletecollection')) {
    throw errors.methodNotSupported({ group: store.info.group, resource: store.info.resource }, 'deletecollection');
  }
  // Upstream decodes and validates the collection's ListOptions here too.
  listOptions(p, false);
  const opts = deleteOptions(await body(), p);
  ctx.dryRun = ctx.dryRun || opts.dryRun;
  const matcher = compileMatcher(store.info, p.str('labelSelector'), p.str('fieldSelector'));
  const listed = await store.list(req.namespace, { matcher });
  const items: KubeObject[] = [];
  for (const o of listed.items) {
    try {
      const r = await store.delete(ctx, o.obj.metadata.namespace, o.obj.metadata.name!, opts);
      items.push(r.object);
    } catch (e) {
      if (!(e instanceof StatusError && e.code === 404)) throw e;
    }
  }
  return {
    kind: `${store.info.kind}List`,
    apiVersion: apiVersionOf(store.info),
    metadata: { resourceVersion: listed.resourceVersion },
    items,
  } as unknown as KubeObject;
}

/** POST to a subresource with a body (pods/binding); 404 when the resource has no such behaviour. */
export async function createSubresource(req: ResourceRequest, body: unknown, ctx = requestContext(req, 'CreateOptions')): Promise<KubeObject> {
  const info = req.storage.store.info;
  const sub = req.subresource ?? '';
  const create = req.storage.subresources[sub]?.create;
  if (!create) throw errors.notFound({ group: info.group, resource: `${info.resource}/${sub}` }, req.name ?? '');
  await admitNode(req, 'create', nameOf(req), body as KubeObject);
  return create(ctx, req.namespace, nameOf(req), body);
}

/**
 * NodeRestriction for a write by a kubelet, with the stored object (read from the watch cache)
 * when the write is not a create of the main resource. Anyone else's writes pass untouched.
 */
async function admitNode(req: ResourceRequest, operation: Operation, name: string, object?: KubeObject): Promise<void> {
  if (nodeNameOf(req.userInfo) === undefined) return;
  const existing = operation !== 'create' || req.subresource ? (await req.storage.store.find(req.namespace, name))?.obj : undefined;
  admitNodeWith(req, operation, name, object, existing);
}

function admitNodeWith(req: ResourceRequest, operation: Operation, name: string, object?: KubeObject, existing?: KubeObject): void {
  const info = req.storage.store.info;
  admitNodeRequest({
    user: req.userInfo,
    operation,
    group: info.group,
    resource: info.resource,
    subresource: req.subresource ?? '',
    namespace: req.namespace ?? '',
    name,
    object,
    existing,
  });
}
