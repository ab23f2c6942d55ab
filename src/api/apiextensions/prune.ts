// Pruning of fields a structural schema does not specify (apiextensions-apiserver
// pkg/apiserver/schema/pruning): unknown fields are dropped except under
// x-kubernetes-preserve-unknown-fields; apiVersion, kind and metadata survive at the root and in
// x-kubernetes-embedded-resource objects, where metadata keeps only ObjectMeta's fields.
// Returns the dropped paths, which the API server reports as warnings (`unknown field "spec.x"`).
import { isObject, type JSONObject } from './json.js';
import type { JSONSchemaProps } from './types.js';
import { additionalSchema, itemsSchema, propertySchema } from './schema-nav.js';

const objectMetaFields = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

function join(path: string, k: string): string {
  return path ? `${path}.${k}` : k;
}

function pruneValue(v: unknown, s: JSONSchemaProps | undefined, path: string, pruned: string[], depth: number): void {
  if (!s || depth > 1000) return;
  if (Array.isArray(v)) {
    const items = itemsSchema(s);
    v.forEach((x, i) => pruneValue(x, items, `${path}[${i}]`, pruned, depth + 1));
    return;
  }
  if (!isObject(v)) return;
  pruneObject(v, s, path, pruned, s['x-kubernetes-embedded-resource'] === true, depth);
}

function pruneObject(v: JSONObject, s: JSONSchemaProps, path: string, pruned: string[], isResource: boolean, depth: number): void {
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const additional = additionalSchema(s);
  const allowAny = s.additionalProperties === true;
  for (const k of Object.keys(v)) {
    if (isResource && (k === 'apiVersion' || k === 'kind')) continue;
    if (isResource && k === 'metadata') {
      const m = v[k];
      if (isObject(m)) {
        for (const mk of Object.keys(m)) {
          if (!objectMetaFields.has(mk)) {
            delete m[mk];
            pruned.push(join(join(path, 'metadata'), mk));
          }
        }
      }
      continue;
    }
    const prop = propertySchema(s, k);
    if (prop) pruneValue(v[k], prop, join(path, k), pruned, depth + 1);
    else if (additional) pruneValue(v[k], additional, join(path, k), pruned, depth + 1);
    else if (!preserve && !allowAny) {
      delete v[k];
      pruned.push(join(path, k));
    }
  }
}

/** Prunes a custom resource in place against its version's schema; returns the removed paths. */
export function pruneCustomResource(obj: JSONObject, schema: JSONSchemaProps): string[] {
  const pruned: string[] = [];
  pruneObject(obj, schema, '', pruned, true, 0);
  return pruned;
}

/** Prunes a value that is not a whole resource (a schema default); returns the removed paths. */
export function pruneValueInPlace(v: unknown, schema: JSONSchemaProps): string[] {
  const pruned: string[] = [];
  pruneValue(v, schema, '', pruned, 0);
  return pruned;
}
