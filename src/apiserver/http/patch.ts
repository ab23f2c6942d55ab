// PATCH bodies: JSON patch, JSON merge patch and strategic merge patch (with the kind's merge
// keys from its schema), applied to the stored object.
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
 * rather than a 409 (unless the patch itself pins a resourceVersion).
 */
export function patchStored(
  store: Store,
  ctx: RequestContext,
  namespace: string | undefined,
  name: string,
  subresource: string | undefined,
  contentType: string,
  patch: unknown,
): Promise<{ object: KubeObject; created: boolean }> {
  return store.guaranteedUpdate(
    ctx,
    namespace,
    name,
    subresource,
    (current) => {
      if (!current) throw errors.notFound(store.gr, name);
      const patched = decodePatchedObject(gvkOf(store.info), applyPatch(store.info, current, contentType, patch), contentType, patch);
      checkKind(store.info, patched);
      checkFields(store.info, patched, ctx);
      return patched;
    },
    { patch: true },
  );
}
