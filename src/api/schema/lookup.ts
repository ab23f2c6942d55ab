// Access to the generated definitions: by name, by group-version-kind, and through $refs.
import { definitions } from './generated.js';
import type { GroupVersionKind, SchemaNode } from './types.js';

export const REF_PREFIX = '#/components/schemas/';

export function definition(name: string): SchemaNode | undefined {
  return Object.prototype.hasOwnProperty.call(definitions, name) ? definitions[name] : undefined;
}

export function definitionNames(): string[] {
  return Object.keys(definitions);
}

/** The definition name a `$ref` points at, or undefined for a node without one. */
export function refName(node: SchemaNode): string | undefined {
  const ref = node.$ref ?? (node.allOf?.length === 1 ? node.allOf[0]!.$ref : undefined);
  return ref?.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : undefined;
}

/** Follows `$ref`s until a node that has its own structure. */
export function resolve(node: SchemaNode): SchemaNode {
  let cur = node;
  for (let i = 0; i < 32; i++) {
    const name = refName(cur);
    if (!name) return cur;
    const next = definition(name);
    if (!next) return cur;
    cur = next;
  }
  return cur;
}

const gvkKey = (g: GroupVersionKind): string => `${g.group}/${g.version}/${g.kind}`;
let byGvk: Map<string, string> | undefined;

/** Definition name of a kind, e.g. {group:'', version:'v1', kind:'Service'} → io.k8s.api.core.v1.Service. */
export function definitionNameFor(gvk: GroupVersionKind): string | undefined {
  if (!byGvk) {
    byGvk = new Map();
    for (const [name, def] of Object.entries(definitions)) {
      for (const g of def['x-kubernetes-group-version-kind'] ?? []) {
        // meta/v1 kinds (DeleteOptions, Status...) carry many GVKs; the first registered name wins.
        if (!byGvk.has(gvkKey(g))) byGvk.set(gvkKey(g), name);
      }
    }
  }
  return byGvk.get(gvkKey(gvk));
}

/** Every definition name reachable from the given roots through `$ref`s (roots included). */
export function reachable(roots: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = [...roots];
  const visit = (n: unknown): void => {
    if (Array.isArray(n)) for (const x of n) visit(x);
    else if (n && typeof n === 'object') {
      for (const [k, v] of Object.entries(n)) {
        if (k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX)) queue.push(v.slice(REF_PREFIX.length));
        else visit(v);
      }
    }
  };
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    const def = definition(name);
    if (!def) continue;
    seen.add(name);
    visit(def);
  }
  return seen;
}
