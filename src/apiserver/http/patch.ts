// PATCH bodies: JSON patch, JSON merge patch and strategic merge patch (with the kind's merge
// keys from its schema), applied to the stored object; server-side apply is in apply.ts.
import type { KubeObject } from '../../api/meta.js';
import { patchSchemaFor } from '../../api/schema/index.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../machinery/patch/index.js';
import { errors, StatusError } from '../../machinery/status.js';
import { applyPatchType } from './apply.js';
import type { ResourceInfo } from '../resources.js';

export const patchTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

/**
 * The patch types a resource accepts, as upstream's 415 lists them: custom resources have no Go
 * struct tags to merge strategically by (the CRD handler's supportedTypes), so they refuse it.
 */
export function checkPatchType(info: ResourceInfo, type: string): void {
  const accepted = [...patchTypes.filter((t) => info.strategicMergePatch || t !== 'application/strategic-merge-patch+json'), applyPatchType];
  if (!accepted.includes(type)) {
    throw new StatusError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
  }
}

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
