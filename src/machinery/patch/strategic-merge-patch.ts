// Strategic merge patch (Content-Type application/strategic-merge-patch+json) as the apiserver
// applies it with apimachinery's strategicpatch.StrategicMergeMapPatch.
import { StatusError, errors } from '../status.js';
import { goJsonKind } from '../goformat.js';
import { withinDepth } from './depth-guard.js';
import { clone, isObject } from './json.js';
import type { PatchSchema } from './schema.js';
import { SmpError } from './strategic/errors.js';
import { mergeMap } from './strategic/merge.js';

const directivePrefixes = ['$patch', '$retainKeys', '$setElementOrder/', '$deleteFromPrimitiveList/'];

// Upstream decodes the merged map into the Go type, which silently drops directive keys left
// inside values it copied verbatim (e.g. in a newly added list item); do the same here.
function dropLeftoverDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropLeftoverDirectives);
  if (isObject(v)) {
    for (const k of Object.keys(v)) {
      if (directivePrefixes.some((p) => k === p || (p.endsWith('/') && k.startsWith(p)))) delete v[k];
      else v[k] = dropLeftoverDirectives(v[k]);
    }
  }
  return v;
}

/**
 * Applies a strategic merge patch to a copy of `doc`, guided by `schema` (lists merge by
 * x-kubernetes-patch-merge-key where the strategy is merge; without a schema, or for fields the
 * schema does not know, maps merge and lists are replaced, as in a JSON merge patch).
 *
 * Failures are StatusErrors as the apiserver sends them: malformed directives are 400
 * BadRequest (`invalid patch format of retainKeys`), lists of lists and retainKeys mismatches 422,
 * other merge failures (a 500 upstream) 400 with upstream's text, e.g.
 * `map: map[value:b] does not contain declared merge key: name`.
 */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, schema: PatchSchema | undefined): unknown {
  return withinDepth(() => applyStrategicMergePatchUnguarded(doc, patch, schema));
}

function applyStrategicMergePatchUnguarded(doc: unknown, patch: unknown, schema: PatchSchema | undefined): unknown {
  if (patch === null || patch === undefined) return clone(doc);
  if (!isObject(patch)) {
    throw errors.badRequest(`json: cannot unmarshal ${goJsonKind(patch)} into Go value of type map[string]interface {}`);
  }
  const original = isObject(doc) ? clone(doc) : {};
  try {
    return dropLeftoverDirectives(mergeMap(original, clone(patch), schema));
  } catch (e) {
    if (e instanceof SmpError) throw e.toStatusError();
    if (e instanceof StatusError) throw e;
    // A value of a type the merge did not expect where the schema promised another (the patch is
    // the only input that can be malformed; the stored object is well-formed): the client's 400.
    throw errors.badRequest(`unable to apply the strategic merge patch: ${(e as Error).message}`);
  }
}
