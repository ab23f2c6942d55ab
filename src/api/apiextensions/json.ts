// Small helpers over decoded JSON values, shared by the schema validator, pruning, defaulting and CEL.

export type JSONObject = Record<string, unknown>;

export function isObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

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

/** Structural equality of JSON values (key order ignored), as reflect.DeepEqual on decoded JSON. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ao = a as JSONObject;
  const bo = b as JSONObject;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.hasOwn(bo, k) && jsonEqual(ao[k], bo[k]));
}

/** A copy of a decoded JSON value (several times faster than structuredClone for small values). */
export function deepCopy<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(deepCopy) as T;
  const out: JSONObject = {};
  for (const [k, x] of Object.entries(v)) out[k] = deepCopy(x);
  return out as T;
}

/** Go's %v of a float64 in messages: 1 not 1.0, 0.5 as 0.5. */
export function goNumber(n: number): string {
  return String(n);
}
