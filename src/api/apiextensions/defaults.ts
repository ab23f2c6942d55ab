// Defaulting from `default` in a structural schema (apiextensions-apiserver
// pkg/apiserver/schema/defaulting): a property that is absent, or null without nullable, takes a
// copy of its default; then the walk descends into every property, so defaults nested inside a
// defaulted object apply too (upstream's order). Nulls of non-nullable fields without a default
// are dropped, as upstream's PruneNonNullableNullsWithoutDefaults.
import { deepCopy, isObject, type JSONObject } from './json.js';
import type { JSONSchemaProps } from './types.js';
import { additionalSchema, itemsSchema, propertySchema } from './schema-nav.js';

function defaultValue(v: unknown, s: JSONSchemaProps | undefined, depth: number): void {
  if (!s || depth > 1000) return;
  if (Array.isArray(v)) {
    const items = itemsSchema(s);
    v.forEach((x) => defaultValue(x, items, depth + 1));
    return;
  }
  if (!isObject(v)) return;
  defaultObject(v, s, depth);
}

function defaultObject(v: JSONObject, s: JSONSchemaProps, depth: number): void {
  for (const [k, prop] of Object.entries(s.properties ?? {})) {
    const absent = !Object.hasOwn(v, k);
    const badNull = !absent && v[k] === null && !prop.nullable;
    if ((absent || badNull) && prop.default !== undefined) v[k] = deepCopy(prop.default);
    else if (badNull) delete v[k];
  }
  for (const [k, x] of Object.entries(v)) {
    const prop = propertySchema(s, k);
    const add = additionalSchema(s);
    if (prop) defaultValue(x, prop, depth + 1);
    else if (add) {
      if (x === null && !add.nullable) {
        if (add.default !== undefined) v[k] = deepCopy(add.default);
        else delete v[k];
      }
      defaultValue(v[k], add, depth + 1);
    }
  }
}

/** Applies the schema's defaults to a custom resource in place. */
export function applyDefaults(obj: unknown, schema: JSONSchemaProps): void {
  defaultValue(obj, schema, 0);
}
