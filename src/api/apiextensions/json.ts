// Small helpers over decoded JSON values, shared by the schema validator, pruning, defaulting and CEL.

// Equality, copies and the object test are the patch machinery's: one implementation of each.
export { isObject, jsonEqual, clone as deepCopy, type JsonObject as JSONObject } from '../../machinery/patch/json.js';

/** The JSON type name go-openapi reports for a value ("integer" for whole numbers). */
export function jsonTypeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(v) ? 'integer' : 'number';
    case 'bigint':
      return 'integer';
    default:
      return 'object';
  }
}
