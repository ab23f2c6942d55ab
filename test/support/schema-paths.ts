// Property-test helpers over a kind's schema: every field path reachable from the kind's
// definition (list items as index 0, map values under the key "k"), putting a value at such a
// path inside an otherwise valid body, hostile values, and a check that a value has the schema's
// types (written from the schema, independently of the decoder it checks).
import fc from 'fast-check';
import { definition, definitionNameFor, resolve, type SchemaNode } from '../../src/api/schema/index.js';

export type Segment = string | number;

/** Up to `limit` field paths of `gvk`, breadth first, never re-entering a definition already on the path. */
export function schemaPaths(gvk: { group: string; version: string; kind: string }, maxDepth = 7, limit = 4000): Segment[][] {
  const rootName = definitionNameFor(gvk);
  if (!rootName) throw new Error(`no schema for ${gvk.kind}`);
  const out: Segment[][] = [];
  const queue: { node: SchemaNode; path: Segment[]; seen: string[] }[] = [{ node: definition(rootName)!, path: [], seen: [rootName] }];
  while (queue.length && out.length < limit) {
    const { node, path, seen } = queue.shift()!;
    if (path.length) out.push(path);
    if (path.length >= maxDepth) continue;
    const ref = node.$ref?.split('/').pop();
    if (ref && seen.includes(ref)) continue;
    const s = resolve(node);
    const nextSeen = ref ? [...seen, ref] : seen;
    if (s.properties) {
      for (const [k, p] of Object.entries(s.properties)) queue.push({ node: p, path: [...path, k], seen: nextSeen });
    } else if (s.type === 'array' && s.items) {
      queue.push({ node: s.items, path: [...path, 0], seen: nextSeen });
    } else if (s.type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
      queue.push({ node: s.additionalProperties, path: [...path, 'k'], seen: nextSeen });
    }
  }
  return out;
}

/** A deep copy of `body` with `value` at `path`, creating the objects and lists on the way. */
export function withValueAt(body: unknown, path: Segment[], value: unknown): unknown {
  const root = structuredClone(body) as Record<string, unknown>;
  let cur: Record<string | number, unknown> = root;
  path.forEach((seg, i) => {
    if (i === path.length - 1) {
      cur[seg] = value;
      return;
    }
    const next = path[i + 1]!;
    const have = cur[seg];
    const wantList = typeof next === 'number';
    if (wantList ? !Array.isArray(have) : have === null || typeof have !== 'object' || Array.isArray(have)) {
      cur[seg] = wantList ? [{}] : {};
    }
    let child = cur[seg] as Record<string | number, unknown>;
    if (wantList && (child as unknown as unknown[]).length === 0) (child as unknown as unknown[]).push({});
    if (typeof seg === 'number' && (child === null || typeof child !== 'object')) {
      child = {};
      cur[seg] = child;
    }
    cur = child;
  });
  return root;
}

/** Values chosen to sit on the edges the decoder must tell apart, mixed with arbitrary JSON. */
export const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom<unknown>(
    null, 0, -1, 1.5, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 2, 2 ** 63, 1e21, -1e300, '', 'garbage', '1Gi', '80',
    '2024-01-01T00:00:00Z', true, {}, [], [null], [{}], { a: 1 }, ['x'], [[]], { '': null },
  ),
);

const INT32 = 2 ** 31;
/** Does `v` have the type `node` describes? (IntOrString, Quantity and Time only by their JSON kinds.) */
export function conforms(node: SchemaNode, v: unknown, path: string): string | undefined {
  const s = resolve(node);
  const ref = (node.$ref ?? '').split('/').pop() ?? '';
  if (v === null) return undefined; // a zero value or an open object's content
  if (ref.endsWith('.IntOrString')) return typeof v === 'string' || (Number.isInteger(v) && Math.abs(v as number) <= INT32) ? undefined : path;
  if (ref.endsWith('.Quantity')) return typeof v === 'string' || typeof v === 'number' ? undefined : path;
  if (ref.endsWith('.Time') || ref.endsWith('.MicroTime')) return typeof v === 'string' ? undefined : path;
  if (s['x-kubernetes-preserve-unknown-fields']) return undefined;
  switch (s.type) {
    case 'object': {
      if (typeof v !== 'object' || Array.isArray(v)) return s.properties || s.additionalProperties ? path : undefined;
      const o = v as Record<string, unknown>;
      if (s.properties && Object.keys(s.properties).length) {
        for (const [k, p] of Object.entries(s.properties)) if (k in o) {
          if (o[k] === null) return `${path}.${k} (null kept)`;
          const bad = conforms(p, o[k], `${path}.${k}`);
          if (bad) return bad;
        }
        return undefined;
      }
      if (s.additionalProperties && typeof s.additionalProperties === 'object') {
        for (const [k, x] of Object.entries(o)) {
          const bad = conforms(s.additionalProperties, x, `${path}[${k}]`);
          if (bad) return bad;
        }
      }
      return undefined;
    }
    case 'array':
      if (!Array.isArray(v)) return path;
      for (let i = 0; i < v.length; i++) {
        const bad = s.items ? conforms(s.items, v[i], `${path}[${i}]`) : undefined;
        if (bad) return bad;
      }
      return undefined;
    case 'string':
      return typeof v === 'string' ? undefined : path;
    case 'boolean':
      return typeof v === 'boolean' ? undefined : path;
    case 'integer': {
      const max = s.format === 'int32' ? INT32 : 2 ** 63;
      return Number.isInteger(v) && (v as number) >= -max && (v as number) < max ? undefined : path;
    }
    case 'number':
      return typeof v === 'number' ? undefined : path;
    default:
      return undefined;
  }
}

