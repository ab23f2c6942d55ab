// Moving through a structural schema alongside a value: which schema governs a field or a list
// element. Own-property lookups only, so a field named `constructor` or `__proto__` in an
// object never reaches Object.prototype.
import { isObject } from './json.js';
import type { JSONSchemaProps } from './types.js';

/** The schema of declared property `k`, or undefined. */
export function propertySchema(s: JSONSchemaProps | undefined, k: string): JSONSchemaProps | undefined {
  return s?.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
}

/** additionalProperties when it is a schema (a map's values), or undefined. */
export function additionalSchema(s: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  return s && isObject(s.additionalProperties) ? (s.additionalProperties as JSONSchemaProps) : undefined;
}

/** The schema of field `k` of an object: its property, else the map's value schema. */
export function fieldSchema(s: JSONSchemaProps | undefined, k: string): JSONSchemaProps | undefined {
  return propertySchema(s, k) ?? additionalSchema(s);
}

/** The schema of a list's elements (the first of a tuple form, which v1 refuses anyway). */
export function itemsSchema(s: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  const items = Array.isArray(s?.items) ? s!.items[0] : s?.items;
  return isObject(items) ? (items as JSONSchemaProps) : undefined;
}
