// FieldsV1, the JSON form of a field set in managedFields: one object per level, `"f:name"`,
// `"k:{...}"`, `"v:..."` or `"i:N"` keys, `{}` for a member without children, and a `".": {}`
// entry when an element is a member and has children too. Written in upstream's order.
import { FieldSet } from './set.js';
import { goJSON, parseToken, token, PathSyntaxError } from './path.js';

export function toFieldsV1(s: FieldSet): Record<string, unknown> {
  return emit(s, false);
}

function emit(s: FieldSet, self: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const entries = s.sortedEntries();
  if (self && entries.length) out['.'] = {};
  for (const e of entries) out[token(e.pe)] = e.child ? emit(e.child, e.member) : {};
  return out;
}

export class FieldsV1Error extends Error {}

/** Parses FieldsV1 (an object); anything malformed is a FieldsV1Error with upstream's wording where known. */
export function fromFieldsV1(v: unknown, depth = 0): FieldSet {
  if (depth > 256) throw new FieldsV1Error('FieldsV1 nested too deeply');
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new FieldsV1Error(`expected an object but got ${goJSON(v) ?? 'undefined'}`);
  const s = new FieldSet();
  fill(s, v as Record<string, unknown>, depth);
  return s;
}

function fill(s: FieldSet, o: Record<string, unknown>, depth: number): boolean {
  let self = false;
  for (const [k, child] of Object.entries(o)) {
    if (k === '.') {
      self = true;
      continue;
    }
    let pe;
    try {
      pe = parseToken(k);
    } catch (e) {
      throw new FieldsV1Error(e instanceof PathSyntaxError ? e.message : String(e));
    }
    if (!child || typeof child !== 'object' || Array.isArray(child)) throw new FieldsV1Error(`expected an object for ${k}`);
    if (depth > 256) throw new FieldsV1Error('FieldsV1 nested too deeply');
    if (Object.keys(child).length === 0) {
      s.members.set(token(pe), pe);
      continue;
    }
    const c = s.child(pe);
    if (fill(c, child as Record<string, unknown>, depth + 1)) s.members.set(token(pe), pe);
  }
  return self;
}
