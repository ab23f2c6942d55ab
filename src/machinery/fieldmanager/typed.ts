// Walks of an object against its type, as structured-merge-diff's typed package: the set of
// fields an object sets (ToFieldSet), what changed between two objects (Compare), an applied
// configuration merged into a live object (Merge), and items removed by path (RemoveItems).
import { deepEqual } from '../../apiserver/store/deep-equal.js';
import { pathString, token, type Path, type PathElement } from './path.js';
import { FieldSet } from './set.js';
import { deducedType, fieldType, type TypeRef } from './schema.js';

/** An object that does not fit its schema the way structured-merge-diff needs (duplicate keys, ...). */
export class TypedError extends Error {
  constructor(path: Path, detail: string) {
    super(path.length ? `${pathString(path)}: ${detail}` : detail);
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** How a value is walked: as a leaf, as a map of entries, or as a list of identified items. */
type Shape = { as: 'leaf' } | { as: 'map'; t: TypeRef } | { as: 'list'; t: TypeRef & { kind: 'list' } };

function shapeOf(t: TypeRef, v: unknown): Shape {
  switch (t.kind) {
    case 'map':
      return isObj(v) && !t.atomic ? { as: 'map', t } : { as: 'leaf' };
    case 'list':
      return Array.isArray(v) && t.associative ? { as: 'list', t } : { as: 'leaf' };
    case 'deduced':
      return isObj(v) ? { as: 'map', t } : { as: 'leaf' };
    default:
      return { as: 'leaf' };
  }
}

function entryType(t: TypeRef, key: string): TypeRef | undefined {
  if (t.kind === 'deduced') return deducedType;
  if (t.kind === 'map') return fieldType(t, key);
  return undefined;
}

function isDeclaredField(t: TypeRef, key: string): boolean {
  return t.kind === 'map' && t.fields.has(key);
}

export interface ListItem {
  pe: PathElement;
  tok: string;
  value: unknown;
}

/** The element naming a list item: its key fields (defaults filled in as upstream), or its value. */
export function listItemElement(t: TypeRef & { kind: 'list' }, item: unknown, path: Path): PathElement {
  if (t.keys.length === 0) {
    if (isObj(item) || Array.isArray(item)) throw new TypedError(path, 'associative list without keys has an element that\'s a map type');
    return { value: item };
  }
  if (!isObj(item)) throw new TypedError(path, 'associative list with keys may not have non-map elements');
  const key: Array<[string, unknown]> = [];
  for (const k of [...t.keys].sort()) {
    if (item[k] !== undefined && item[k] !== null) key.push([k, item[k]]);
    else {
      const def = t.elem.kind === 'map' ? t.elem.fields.get(k)?.default : undefined;
      if (def === undefined) throw new TypedError(path, `associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`);
      key.push([k, def]);
    }
  }
  return { key };
}

/** The items of an associative list with their elements; duplicates are an error unless allowed (live objects). */
export function listItems(t: TypeRef & { kind: 'list' }, list: unknown[], path: Path, allowDuplicates: boolean): ListItem[] {
  const seen = new Set<string>();
  const out: ListItem[] = [];
  for (const value of list) {
    const pe = listItemElement(t, value, path);
    const tok = token(pe);
    if (seen.has(tok)) {
      if (!allowDuplicates) throw new TypedError(path, `duplicate entries for key ${pathString([pe])}`);
      continue;
    }
    seen.add(tok);
    out.push({ pe, tok, value });
  }
  return out;
}

// ---- ToFieldSet ----

/** The fields `v` sets, as upstream's ToFieldSet (atomic things and scalars are leaves). */
export function toFieldSet(v: unknown, t: TypeRef, allowDuplicates = false): FieldSet {
  const out = new FieldSet();
  fieldsOf(v, t, [], out, allowDuplicates);
  return out;
}

function fieldsOf(v: unknown, t: TypeRef, path: PathElement[], out: FieldSet, dup: boolean): void {
  const shape = shapeOf(t, v);
  if (shape.as === 'leaf') {
    if (path.length) out.insert(path);
    return;
  }
  if (shape.as === 'map') {
    for (const [k, val] of Object.entries(v as Obj)) {
      if (val === undefined) continue;
      const p = [...path, { field: k }];
      const et = entryType(t, k);
      // A configuration may only set fields the schema declares; live objects are taken as they are.
      if (!et && !dup) throw new TypedError(p, 'field not declared in schema');
      fieldsOf(val, et ?? deducedType, p, out, dup);
      if (val === null || (isObj(val) && Object.keys(val).length === 0) || !isDeclaredField(t, k)) out.insert(p);
    }
    return;
  }
  for (const item of listItems(shape.t, v as unknown[], path, dup)) {
    const p = [...path, item.pe];
    fieldsOf(item.value, shape.t.elem, p, out, dup);
    out.insert(p);
  }
}

// ---- Compare ----

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed from `l` to `r`: leaves added, removed or modified, and containers added or removed. */
export function compare(l: unknown, r: unknown, t: TypeRef): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareAt(l, r, t, [], c);
  return c;
}

function compareAt(l: unknown, r: unknown, t: TypeRef, path: PathElement[], c: Comparison): void {
  const ls = l === undefined ? undefined : shapeOf(t, l);
  const rs = r === undefined ? undefined : shapeOf(t, r);
  const shape = ls && rs ? (ls.as === rs.as ? ls : { as: 'leaf' as const }) : (ls ?? rs)!;
  if (shape.as === 'leaf') {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    else if (!deepEqual(l, r)) c.modified.insert(path);
    return;
  }
  if (shape.as === 'map') {
    const lo = (l ?? {}) as Obj;
    const ro = (r ?? {}) as Obj;
    for (const k of new Set([...Object.keys(lo), ...Object.keys(ro)])) {
      if (lo[k] === undefined && ro[k] === undefined) continue;
      compareAt(lo[k], ro[k], entryType(t, k) ?? deducedType, [...path, { field: k }], c);
    }
  } else {
    const li = new Map(listItems(shape.t, (l ?? []) as unknown[], path, true).map((i) => [i.tok, i]));
    const ri = new Map(listItems(shape.t, (r ?? []) as unknown[], path, true).map((i) => [i.tok, i]));
    for (const [tok, i] of li) compareAt(i.value, ri.get(tok)?.value, shape.t.elem, [...path, i.pe], c);
    for (const [tok, i] of ri) if (!li.has(tok)) compareAt(undefined, i.value, shape.t.elem, [...path, i.pe], c);
  }
  // Go's typed objects always have their non-pointer structs (an empty Service has a spec), so
  // upstream never sees a struct come or go; only maps and lists do, and carry a "." of their own.
  const last = path[path.length - 1];
  if (!last || ('field' in last && t.kind === 'map' && t.fields.size > 0)) return;
  if (l === undefined) c.added.insert(path);
  else if (r === undefined) c.removed.insert(path);
}

// ---- Merge ----

/** The applied configuration `r` merged into `l`: r's leaves win, maps and associative lists merge by entry. */
export function merge(l: unknown, r: unknown, t: TypeRef, path: PathElement[] = []): unknown {
  if (r === undefined) return l;
  if (l === undefined) return r;
  const ls = shapeOf(t, l);
  const rs = shapeOf(t, r);
  if (rs.as === 'leaf' || ls.as !== rs.as) return r;
  if (rs.as === 'map') {
    const lo = l as Obj;
    const ro = r as Obj;
    const out: Obj = {};
    for (const k of Object.keys(lo)) out[k] = k in ro ? merge(lo[k], ro[k], entryType(t, k) ?? deducedType, [...path, { field: k }]) : lo[k];
    for (const k of Object.keys(ro)) if (!(k in lo)) out[k] = ro[k];
    return out;
  }
  return mergeLists(rs.t, l as unknown[], r as unknown[], path);
}

/**
 * Associative lists keep the live order, with the configuration's new items placed after the
 * item they follow in the configuration, and items both have moved to the configuration's order,
 * as upstream's merge does.
 */
function mergeLists(t: TypeRef & { kind: 'list' }, l: unknown[], r: unknown[], path: PathElement[]): unknown[] {
  const lhs = listItems(t, l, path, true);
  const rhs = listItems(t, r, path, false);
  const inL = new Map(lhs.map((i) => [i.tok, i]));
  const inR = new Map(rhs.map((i) => [i.tok, i]));
  const shared = rhs.filter((i) => inL.has(i.tok)).map((i) => i.tok);
  let next = 0; // index into shared of the next shared item due
  const done = new Set<string>();
  const out: unknown[] = [];
  const mergeItem = (tok: string) => {
    const li = inL.get(tok);
    const ri = inR.get(tok);
    out.push(merge(li?.value, ri?.value, t.elem, [...path, (li ?? ri)!.pe]));
  };
  let a = 0;
  let b = 0;
  while (a < lhs.length || b < rhs.length) {
    if (a < lhs.length && b < rhs.length) {
      const tok = lhs[a]!.tok;
      if (tok === rhs[b]!.tok) {
        done.add(tok);
        mergeItem(tok);
        a++;
        b++;
        next++;
        continue;
      }
      if (inR.has(tok) && next < shared.length && shared[next] !== tok) {
        a++;
        continue;
      }
    }
    if (a < lhs.length) {
      const tok = lhs[a]!.tok;
      if (!inR.has(tok)) {
        out.push(lhs[a]!.value);
        a++;
        continue;
      }
      if (done.has(tok)) {
        a++;
        continue;
      }
    }
    if (b < rhs.length) {
      const tok = rhs[b]!.tok;
      done.add(tok);
      mergeItem(tok);
      b++;
      if (shared[next] === tok) next++;
    }
  }
  return out;
}

// ---- RemoveItems ----

/** `v` without the members of `s` (whole subtrees) — upstream's RemoveItems. */
export function removeItems(v: unknown, s: FieldSet, t: TypeRef, path: PathElement[] = []): unknown {
  const shape = shapeOf(t, v);
  if (shape.as === 'map') {
    const out: Obj = {};
    for (const [k, val] of Object.entries(v as Obj)) {
      const pe = { field: k };
      const tok = token(pe);
      if (s.members.has(tok)) continue;
      const child = s.children.get(tok)?.set;
      out[k] = child ? removeItems(val, child, entryType(t, k) ?? deducedType, [...path, pe]) : val;
    }
    return out;
  }
  if (shape.as === 'list') {
    const out: unknown[] = [];
    for (const item of v as unknown[]) {
      const pe = listItemElement(shape.t, item, path);
      const tok = token(pe);
      if (s.members.has(tok)) continue;
      const child = s.children.get(tok)?.set;
      out.push(child ? removeItems(item, child, shape.t.elem, [...path, pe]) : item);
    }
    return out;
  }
  return v;
}

/** `s` with every schema-declared struct field that has owned children counted as a member too. */
export function ensureNamedFieldsAreMembers(s: FieldSet, t: TypeRef): FieldSet {
  const out = new FieldSet();
  for (const [tok, pe] of s.members) out.members.set(tok, pe);
  for (const [tok, c] of s.children) {
    let ct: TypeRef = deducedType;
    if ('field' in c.pe) {
      if (isDeclaredField(t, c.pe.field)) out.members.set(tok, c.pe);
      ct = entryType(t, c.pe.field) ?? deducedType;
    } else if (t.kind === 'list') ct = t.elem;
    out.children.set(tok, { pe: c.pe, set: ensureNamedFieldsAreMembers(c.set, ct) });
  }
  return out;
}
