// Unknown-field detection with the results upstream's strict JSON decoder gives for builtin kinds
// (sigs.k8s.io/json, used by the apiserver for fieldValidation=Strict|Warn): every key that the
// typed struct has no field for, reported once at the first level it appears, never descended into.
import { definitionNameFor, definition, resolve } from './lookup.js';
import type { GroupVersionKind, SchemaNode } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Paths of the fields in `obj` that the kind's schema does not know, in document order, written
 * with a leading dot: `.spec.portz`, `.spec.ports[0].nme`. Upstream prints them without the dot
 * (see unknownFieldMessage). An unknown kind yields [] — there is nothing to check it against.
 */
export function unknownFields(gvk: { group: string; version: string; kind: string }, obj: unknown): string[] {
  const name = definitionNameFor(gvk);
  const root = name ? definition(name) : undefined;
  if (!root) return [];
  const out: string[] = [];
  walk(root, obj, '', out);
  return out;
}

function walk(node: SchemaNode, value: unknown, path: string, out: string[]): void {
  const s = resolve(node);
  if (s['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    // A JSON array where the schema wants something else is a type error, not an unknown field.
    if (s.type !== 'array' || !s.items) return;
    value.forEach((v, i) => walk(s.items!, v, `${path}[${i}]`, out));
    return;
  }
  if (!isObj(value) || s.type !== 'object') return;
  if (s.properties && Object.keys(s.properties).length > 0) {
    for (const [k, v] of Object.entries(value)) {
      const p = Object.prototype.hasOwnProperty.call(s.properties, k) ? s.properties[k] : undefined;
      if (!p) out.push(`${path}.${k}`);
      else walk(p, v, `${path}.${k}`, out);
    }
    return;
  }
  // A map: keys are data, only the values have a shape. An object with neither properties nor
  // additionalProperties (RawExtension, FieldsV1) accepts anything.
  if (isObj(s.additionalProperties)) {
    const elem = s.additionalProperties;
    for (const [k, v] of Object.entries(value)) walk(elem, v, `${path}.${k}`, out);
  }
}

/** Upstream's text for one unknown field, used both in the strict error and as a Warn-mode warning. */
export function unknownFieldMessage(path: string): string {
  return `unknown field "${path.startsWith('.') ? path.slice(1) : path}"`;
}

/**
 * The BadRequest message the apiserver returns for fieldValidation=Strict, e.g.
 * `Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.portz"`.
 */
export function strictDecodingMessage(gvk: GroupVersionKind, paths: string[]): string {
  return (
    `${gvk.kind} in version "${gvk.version}" cannot be handled as a ${gvk.kind}: ` +
    `strict decoding error: ${paths.map(unknownFieldMessage).join(', ')}`
  );
}
