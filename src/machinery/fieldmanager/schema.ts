// The typed view structured-merge-diff takes of an object, built from the OpenAPI schema kubesvc
// serves, with kube-openapi's schemaconv rules: a list's x-kubernetes-list-type (atomic, set, or
// map with x-kubernetes-list-map-keys) decides how its items are owned; a list without one but with
// patch strategy "merge" is associative (keyed by the patch merge key, or a set without one), any
// other list is atomic; x-kubernetes-map-type makes a map or struct atomic; IntOrString, Quantity,
// times and RawExtension are untyped scalars; a free-form object is "deduced" (its maps granular,
// its lists atomic).
import { definition, refName, resolve } from '../../api/schema/lookup.js';
import type { SchemaNode } from '../../api/schema/types.js';

export interface StructField {
  type: TypeRef;
  default?: unknown;
}

export type TypeRef =
  | { kind: 'scalar' }
  | { kind: 'map'; fields: Map<string, StructField>; elem?: TypeRef; atomic: boolean }
  | { kind: 'list'; elem: TypeRef; associative: boolean; keys: string[] }
  /** Anything: objects granular with deduced values, lists atomic. */
  | { kind: 'deduced' };

export const scalarType: TypeRef = { kind: 'scalar' };
export const deducedType: TypeRef = { kind: 'deduced' };

const rawExtension = 'io.k8s.apimachinery.pkg.runtime.RawExtension';
const cache = new Map<string, TypeRef>();

/** The type of a definition, e.g. io.k8s.api.core.v1.Service; map-type overrides from the referring field. */
export function typeOfDefinition(name: string, mapType?: unknown): TypeRef {
  const key = `${name}|${String(mapType ?? '')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  if (name === rawExtension) return scalarType;
  // Registered before it is filled in, so recursive definitions end.
  const shell = { kind: 'scalar' } as TypeRef;
  cache.set(key, shell);
  const built = fromNode(definition(name) ?? {}, name);
  if (built.kind === 'map' && (mapType === 'atomic' || mapType === 'granular')) built.atomic = mapType === 'atomic';
  Object.assign(shell, built);
  return shell;
}

function fromNode(node: SchemaNode, defName?: string): TypeRef {
  const ref = refName(node);
  if (ref) return typeOfDefinition(ref, node['x-kubernetes-map-type']);
  const s = defName ? node : resolve(node);
  if (s.oneOf || s.anyOf || s['x-kubernetes-int-or-string']) return scalarType;
  if (s.type === 'array') return listOf(s);
  if (s.type === 'object' || s.properties || s.additionalProperties) {
    const fields = new Map<string, StructField>();
    for (const [k, v] of Object.entries(s.properties ?? {})) {
      fields.set(k, { type: fromNode(v), ...(v.default !== undefined ? { default: v.default } : {}) });
    }
    const atomic = s['x-kubernetes-map-type'] === 'atomic';
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      return { kind: 'map', fields, elem: fromNode(s.additionalProperties), atomic };
    }
    if (fields.size === 0) return deducedType;
    return { kind: 'map', fields, ...(s['x-kubernetes-preserve-unknown-fields'] ? { elem: deducedType } : {}), atomic };
  }
  return scalarType;
}

function listOf(s: SchemaNode): TypeRef {
  const elem = s.items ? fromNode(s.items) : deducedType;
  const listType = s['x-kubernetes-list-type'];
  if (listType === 'map') return { kind: 'list', elem, associative: true, keys: [...(s['x-kubernetes-list-map-keys'] ?? [])] };
  if (listType === 'set') return { kind: 'list', elem, associative: true, keys: [] };
  if (listType !== undefined) return { kind: 'list', elem, associative: false, keys: [] };
  const strategy = s['x-kubernetes-patch-strategy'];
  if (strategy === 'merge' || strategy === 'merge,retainKeys') {
    const key = s['x-kubernetes-patch-merge-key'];
    return { kind: 'list', elem, associative: true, keys: typeof key === 'string' ? [key] : [] };
  }
  return { kind: 'list', elem, associative: false, keys: [] };
}

/** The type of a map's entry `key`: its declared field, else the map's element type. */
export function fieldType(t: TypeRef & { kind: 'map' }, key: string): TypeRef | undefined {
  return t.fields.get(key)?.type ?? t.elem;
}
