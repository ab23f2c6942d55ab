// RFC 7386 JSON merge patch as the apiserver applies it (evanphx/json-patch v4 MergePatch).
import { errors } from '../status.js';
import { withinDepth } from './depth-guard.js';
import { clone, isObject, type JsonObject } from './json.js';

// Removes null members of objects at any depth (array elements that are null stay).
function pruneNulls(v: unknown): unknown {
  if (isObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else pruneNulls(v[k]);
    }
  } else if (Array.isArray(v)) {
    for (const x of v) if (x !== null) pruneNulls(x);
  }
  return v;
}

function mergeValue(cur: unknown, patch: unknown): unknown {
  // Upstream prunes nulls from the patch value only when the current value is not an object.
  if (!isObject(cur)) return pruneNulls(patch);
  if (!isObject(patch)) return patch;
  mergeObjects(cur, patch);
  return cur;
}

function mergeObjects(doc: JsonObject, patch: JsonObject): void {
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null) {
      delete doc[k];
    } else if (!Object.prototype.hasOwnProperty.call(doc, k) || doc[k] === null) {
      doc[k] = pruneNulls(v);
    } else {
      doc[k] = mergeValue(doc[k], v);
    }
  }
}

/**
 * Applies a merge patch to a copy of `doc`. An object patch merges recursively (null deletes);
 * an array patch replaces the document. Upstream rejects a null or scalar patch with 400
 * `Invalid JSON Patch` (RFC 7386 would make it the result).
 */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  return withinDepth(() => applyMergePatchUnguarded(doc, patch));
}

function applyMergePatchUnguarded(doc: unknown, patch: unknown): unknown {
  const p = clone(patch);
  if (Array.isArray(p)) return pruneNulls(p);
  if (!isObject(p)) throw errors.badRequest('Invalid JSON Patch');
  if (!isObject(doc)) return pruneNulls(p);
  const d = clone(doc);
  mergeObjects(d, p);
  return d;
}
