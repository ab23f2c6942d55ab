// PATCH bodies: JSON patch, JSON merge patch and strategic merge patch (with the kind's merge
// keys from its schema) applied to the stored object, and server-side apply (apply.ts).
import type { KubeObject } from '../../api/meta.js';
import { patchSchemaFor } from '../../api/schema/index.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../machinery/patch/index.js';
import { errors } from '../../machinery/status.js';
import type { ResourceInfo } from '../resources.js';
import type { Store } from '../store/store.js';
import type { RequestContext } from '../store/context.js';
import { checkKind } from './kind-check.js';
import { checkFields } from './field-validation.js';
import { decodePatchedObject, gvkOf } from './typed-body.js';
import { applyPatchType, appliedObject, checkApplyBody } from './apply.js';

export const patchTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

/** `info` undefined means a kind without strategic merge metadata (e.g. Scale): merge semantics. */
export function applyPatch(info: ResourceInfo | undefined, current: unknown, type: string, patch: unknown): KubeObject {
  let out: unknown;
  switch (type) {
    case 'application/json-patch+json':
      out = applyJsonPatch(current, patch);
      break;
    case 'application/merge-patch+json':
      out = applyMergePatch(current, patch);
      break;
    case 'application/strategic-merge-patch+json': {
      const schema = info ? patchSchemaFor({ group: info.group, version: info.version, kind: info.kind }) : undefined;
      out = schema ? applyStrategicMergePatch(current, patch, schema) : applyMergePatch(current, patch);
      break;
    }
    default:
      throw errors.unsupportedMediaType(type);
  }
  if (out === null || typeof out !== 'object' || Array.isArray(out)) {
    throw errors.badRequest('the patch produced something that is not an object');
  }
  return out as KubeObject;
}

/**
 * PATCH as both the HTTP handler and the in-process client run it: the patch is applied to the
 * current object inside the store's compare-and-swap loop, so a concurrent writer causes a retry
 * rather than a 409 (unless the patch itself pins a resourceVersion). An apply patch merges a
 * configuration instead, and creates the object when there is none.
 */
export function patchStored(
  store: Store,
  ctx: RequestContext,
  namespace: string | undefined,
  name: string,
  subresource: string | undefined,
  contentType: string,
  patch: unknown,
  opts: { force?: boolean } = {},
): Promise<{ object: KubeObject; created: boolean }> {
  const apply = contentType === applyPatchType;
  if (apply) {
    checkApplyBody(patch);
    ctx.applied = true;
  }
  return store.guaranteedUpdate(
    ctx,
    namespace,
    name,
    subresource,
    (current) => {
      if (!current && !apply) throw errors.notFound(store.gr, name);
      const out = apply
        ? appliedObject(store, ctx, current, subresource, patch as Record<string, unknown>, opts.force === true)
        : applyPatch(store.info, current, contentType, patch);
      const patched = decodePatchedObject(gvkOf(store.info), out, contentType, patch);
      checkKind(store.info, patched);
      checkFields(store.info, patched, ctx);
      return patched;
    },
    { patch: true, allowCreate: apply && !subresource },
  );
}
