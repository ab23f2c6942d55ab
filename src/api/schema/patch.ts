// Patch metadata for strategic merge patch, derived from the OpenAPI extensions
// x-kubernetes-patch-strategy / x-kubernetes-patch-merge-key, as kubectl and the apiserver do.
import type { PatchSchema } from '../../machinery/patch/schema.js';
import { definition, definitionNameFor, refName, resolve } from './lookup.js';
import type { SchemaNode } from './types.js';

// One PatchSchema per definition, shared by every field that refers to it; built lazily so a
// recursive definition terminates (the cached shell is filled in after it is registered).
const cache = new Map<string, PatchSchema>();

export function patchSchemaFor(gvk: { group: string; version: string; kind: string }): PatchSchema | undefined {
  const name = definitionNameFor(gvk);
  return name ? fromDefinition(name) : undefined;
}

function fromDefinition(name: string): PatchSchema {
  const hit = cache.get(name);
  if (hit) return hit;
  const shell: PatchSchema = { kind: 'scalar' };
  cache.set(name, shell);
  Object.assign(shell, structure(definition(name) ?? {}));
  return shell;
}

function structure(node: SchemaNode): PatchSchema {
  const ref = refName(node);
  if (ref) return fromDefinition(ref);
  const s = resolve(node);
  if (s.type === 'array') return { kind: 'list', ...(s.items ? { elem: fromNode(s.items) } : {}) };
  if (s.type === 'object') {
    if (s.properties && Object.keys(s.properties).length > 0) {
      const fields: Record<string, PatchSchema> = {};
      for (const [k, v] of Object.entries(s.properties)) fields[k] = fromNode(v);
      return { kind: 'object', fields };
    }
    if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      return { kind: 'map', elem: fromNode(s.additionalProperties) };
    }
    // Free-form objects (RawExtension, FieldsV1) merge like maps of unknown values.
    return { kind: 'map' };
  }
  return { kind: 'scalar' };
}

// A field's own node may add a strategy or merge key to the shape it refers to.
function fromNode(node: SchemaNode): PatchSchema {
  const base = structure(node);
  const strategy = node['x-kubernetes-patch-strategy'];
  const key = node['x-kubernetes-patch-merge-key'];
  if (!strategy && !key) return base;
  return {
    ...base,
    ...(strategy ? { patchStrategy: strategy } : {}),
    ...(key ? { patchMergeKey: key } : {}),
  };
}
