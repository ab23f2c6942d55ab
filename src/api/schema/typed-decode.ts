// Decoding a body against the kind's schema types, as upstream's decoder fills its Go structs:
// strings, int32/int64 ranges, bools, string maps, lists, objects, IntOrString, Quantity, Time,
// RawExtension. Nothing with a wrong type reaches defaulting, validation or the store: Go clients
// could not read such an object back (kubectl describe fails on `labels: {"a": 123}`), and
// controllers would act on it (`replicas: 2147483648`).
//
// Two decoders exist upstream and their errors differ, so both are modelled:
// - 'json': sigs.k8s.io/json, used for create and update bodies and for the result of JSON and
//   merge patches. A wrong type is an UnmarshalTypeError naming the struct and the field path
//   (`json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type
//   string`); the first such error is kept and decoding goes on, but an error from a type's own
//   UnmarshalJSON (IntOrString, Quantity, Time) ends it at once and wins.
// - 'unstructured': runtime.DefaultUnstructuredConverter, used for the result of a strategic
//   merge patch (`cannot restore slice from map`); its first error ends it.
//
// JSON null is what Go makes of it: the field keeps its zero value, so a null field is dropped,
// and a null list item or map value becomes the element type's zero value ([null] of ServicePort
// becomes [{}]). Fields the schema does not know are kept for fieldValidation to judge.
import { definition, definitionNameFor, refName } from './lookup.js';
import type { GroupVersionKind, SchemaNode } from './types.js';
import { goTypeOfDefinition, namedGoType, structNameOfDefinition } from './go-types.js';
import { base64Error, quantityError, timeParseError } from './go-scalars.js';

export type DecodeMode = 'json' | 'unstructured';

export interface TypedDecodeResult {
  /** The decoded value (nulls resolved as Go resolves them); meaningful only without `error`. */
  value: unknown;
  /** Upstream's decoder error text, e.g. `json: cannot unmarshal array into Go struct field ...`. */
  error?: string;
}

const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const INT64 = { min: -(2 ** 63), max: 2 ** 63 };
const DEF = {
  intOrString: 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  quantity: 'io.k8s.apimachinery.pkg.api.resource.Quantity',
  time: 'io.k8s.apimachinery.pkg.apis.meta.v1.Time',
  microTime: 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
/** Sets an own property even for the key "__proto__" (JSON.parse makes it an own key; `o[k] = v` would set the prototype). */
function setOwn(o: Obj, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** An error that ends decoding at once (a type's own UnmarshalJSON failed, or any converter error). */
class Stop {
  constructor(readonly message: string) {}
}
/** A value that was not decoded: the field is left out of the result. */
const SKIP = Symbol('skip');

interface Ctx {
  mode: DecodeMode;
  /** Innermost Go struct being filled, and the JSON field names from the root (no list indices). */
  struct: string;
  fields: string[];
  saved?: string;
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/**
 * Decodes `value` (the whole object) as the kind `gvk`. A kind without Go types (a custom
 * resource) has only its metadata decoded, as apiextensions-apiserver decodes it into ObjectMeta;
 * the rest is its schema's to judge.
 */
export function decodeTyped(gvk: GroupVersionKind, value: unknown, mode: DecodeMode): TypedDecodeResult {
  const name = definitionNameFor(gvk);
  if (!name || !definition(name)) return decodeMetadataOnly(value);
  const ctx: Ctx = { mode, struct: '', fields: [] };
  try {
    const out = decodeValue({ $ref: `#/components/schemas/${name}` }, value, ctx, goTypeOfDefinition(name));
    if (ctx.saved !== undefined) return { value, error: ctx.saved };
    return { value: out === SKIP ? value : out };
  } catch (e) {
    if (e instanceof Stop) return { value, error: e.message };
    throw e;
  }
}

function decodeMetadataOnly(value: unknown): TypedDecodeResult {
  if (!isObj(value) || value['metadata'] === null || value['metadata'] === undefined) return { value };
  const r = decodeTypedField('ObjectMeta', 'metadata', OBJECT_META, value['metadata']);
  if (r.error !== undefined) return { value, error: r.error };
  return { value: { ...value, metadata: r.value } };
}

// Schema nodes are shared, immutable objects: what each one means is worked out once. Decoding
// is on every write's path (a 1,000-endpoint EndpointSlice is one walk of ~10,000 values).
const classified = new WeakMap<SchemaNode, { def?: string; s: SchemaNode }>();
const fieldTypes = new WeakMap<SchemaNode, string>();

/**
 * Decodes one field of a struct the schema does not describe as a whole (pods/binding's Binding
 * is not among the served kinds' definitions, but its metadata and target are): errors name the
 * field as the decoder would, e.g. `Go struct field ObjectReference.target.name`.
 */
export function decodeTypedField(struct: string, field: string, definitionName: string, value: unknown): TypedDecodeResult {
  if (!definition(definitionName) || value === null || value === undefined) return { value };
  const ctx: Ctx = { mode: 'json', struct, fields: [field] };
  try {
    const out = decodeValue({ $ref: `#/components/schemas/${definitionName}` }, value, ctx, goTypeOfDefinition(definitionName));
    if (ctx.saved !== undefined) return { value, error: ctx.saved };
    return { value: out === SKIP ? value : out };
  } catch (e) {
    if (e instanceof Stop) return { value, error: e.message };
    throw e;
  }
}

/** What a node is for decoding, with the definition name when it is a $ref. */
function classify(node: SchemaNode): { def?: string; s: SchemaNode } {
  let c = classified.get(node);
  if (!c) {
    const def = refName(node);
    const s = def ? definition(def) ?? node : node;
    c = def ? { def, s } : { s };
    classified.set(node, c);
  }
  return c;
}

/** The Go type of the struct field `k` whose schema is `p`, as the decoder names it in errors. */
function fieldGoType(structName: string, k: string, p: SchemaNode): string {
  let t = fieldTypes.get(p);
  if (t === undefined) {
    t = namedGoType(structName, k, classify(p).s.type === 'array') ?? plainGoType(p);
    fieldTypes.set(p, t);
  }
  return t;
}

function decodeValue(node: SchemaNode, v: unknown, ctx: Ctx, goType: string): unknown {
  const { def, s } = classify(node);
  if (def === DEF.intOrString || s['x-kubernetes-int-or-string'] || s.format === 'int-or-string') return intOrString(v);
  if (def === DEF.quantity) return quantity(v);
  if (def === DEF.time || def === DEF.microTime) return time(v, def === DEF.microTime);
  if (s['x-kubernetes-preserve-unknown-fields']) return v;
  switch (s.type) {
    case 'object':
      if (s.properties && Object.keys(s.properties).length > 0) {
        if (!isObj(v)) return mismatch(ctx, v, goType, 'struct');
        return decodeStruct(def ?? '', s, v, ctx);
      }
      if (isObj(s.additionalProperties)) {
        if (!isObj(v)) return mismatch(ctx, v, goType, 'map');
        return decodeMap(s.additionalProperties, v, ctx, elemType(goType));
      }
      // RawExtension, FieldsV1 and other open objects take any JSON value, as their UnmarshalJSON does.
      return v;
    case 'array': {
      if (!Array.isArray(v)) return mismatch(ctx, v, goType, 'slice');
      if (!s.items) return v;
      const items = s.items;
      const et = elemType(goType);
      const out: unknown[] = [];
      for (const item of v) {
        const r = item === null ? zeroOf(items) : decodeValue(items, item, ctx, et);
        out.push(r === SKIP ? zeroOf(items) : r);
      }
      return out;
    }
    case 'string':
      if (s.format === 'byte') return bytes(ctx, v, goType);
      return typeof v === 'string' ? v : mismatch(ctx, v, goType, 'string');
    case 'boolean':
      return typeof v === 'boolean' ? v : mismatch(ctx, v, goType, 'bool');
    case 'integer':
      return integer(ctx, v, goType, s.format === 'int32' ? INT32 : INT64, s.format === 'int32' ? 'int32' : 'int64');
    case 'number':
      return typeof v === 'number' ? v : mismatch(ctx, v, goType, 'float64');
    default:
      return v;
  }
}

function decodeStruct(defName: string, s: SchemaNode, v: Obj, ctx: Ctx): Obj {
  const props = s.properties!;
  const structName = structNameOfDefinition(defName);
  const out: Obj = {};
  for (const [k, fv] of Object.entries(v)) {
    const p = has(props, k) ? props[k] : undefined;
    if (!p) {
      setOwn(out, k, fv);
      continue;
    }
    if (fv === null) continue;
    const outer = ctx.struct;
    ctx.struct = structName;
    ctx.fields.push(k);
    const r = decodeValue(p, fv, ctx, fieldGoType(structName, k, p));
    ctx.fields.pop();
    ctx.struct = outer;
    if (r !== SKIP) setOwn(out, k, r);
  }
  return out;
}

function decodeMap(elem: SchemaNode, v: Obj, ctx: Ctx, et: string): Obj {
  const out: Obj = {};
  for (const [k, mv] of Object.entries(v)) {
    const r = mv === null ? zeroOf(elem) : decodeValue(elem, mv, ctx, et);
    setOwn(out, k, r === SKIP ? zeroOf(elem) : r);
  }
  return out;
}

/** The Go type a schema node stands for, as reflect prints it. */
export function plainGoType(node: SchemaNode): string {
  const { def, s } = classify(node);
  if (def && s.type === 'object' && s.properties) return goTypeOfDefinition(def);
  if (def && (!s.type || def === DEF.time || def === DEF.microTime)) return goTypeOfDefinition(def);
  switch (s.type) {
    case 'array':
      return `[]${s.items ? plainGoType(s.items) : 'interface {}'}`;
    case 'object':
      if (isObj(s.additionalProperties)) return `map[string]${plainGoType(s.additionalProperties)}`;
      return def ? goTypeOfDefinition(def) : 'map[string]interface {}';
    case 'string':
      return s.format === 'byte' ? '[]uint8' : 'string';
    case 'boolean':
      return 'bool';
    case 'integer':
      return s.format === 'int32' ? 'int32' : 'int64';
    case 'number':
      return 'float64';
    default:
      return def ? goTypeOfDefinition(def) : 'interface {}';
  }
}

/** Element type of a slice or map type string: []v1.IPFamily → v1.IPFamily, map[string]string → string. */
function elemType(t: string): string {
  if (t.startsWith('[]')) return t.slice(2);
  if (t.startsWith('map[')) {
    let depth = 0;
    for (let i = 3; i < t.length; i++) {
      if (t[i] === '[') depth++;
      else if (t[i] === ']' && --depth === 0) return t.slice(i + 1);
    }
  }
  if (t === 'v1.ResourceList') return 'resource.Quantity';
  return t;
}

/** Go's zero value of a list item or map value given as null, in its JSON form. */
function zeroOf(node: SchemaNode): unknown {
  const { def, s } = classify(node);
  if (def === DEF.intOrString) return 0;
  if (def === DEF.quantity) return '0';
  if (def === DEF.time || def === DEF.microTime) return null;
  switch (s.type) {
    case 'object':
      return s.properties && Object.keys(s.properties).length > 0 ? {} : null;
    case 'string':
      return '';
    case 'integer':
    case 'number':
      return 0;
    case 'boolean':
      return false;
    default:
      return null;
  }
}

// ---- scalar checks ----

/** The JSON kind word Go's decoder uses in "cannot unmarshal <word>". */
function jsonWord(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'bool';
    default:
      return 'object';
  }
}

/** The reflect.Kind of what the unstructured converter holds for a JSON value. */
function unstructuredKind(v: unknown): string {
  if (Array.isArray(v)) return 'slice';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'number':
      return isInt64(v) ? 'int64' : 'float64';
    case 'boolean':
      return 'bool';
    default:
      return 'map';
  }
}

const isInt64 = (n: number): boolean => Number.isInteger(n) && n >= INT64.min && n < INT64.max;

/**
 * A number as it was most likely written, for "number 2147483648": integers beyond 2^53 in full
 * digits (the value JSON.parse kept; Go quotes the literal itself, which is gone by now).
 */
export function numberLiteral(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) > Number.MAX_SAFE_INTEGER) return BigInt(n).toString();
  return String(n);
}

function fieldError(ctx: Ctx, value: string, goType: string): string {
  if (!ctx.struct && ctx.fields.length === 0) return `json: cannot unmarshal ${value} into Go value of type ${goType}`;
  return `json: cannot unmarshal ${value} into Go struct field ${ctx.struct}.${ctx.fields.join('.')} of type ${goType}`;
}

/** A JSON value whose kind does not fit the Go type `goType` (of reflect kind `kind`). */
function mismatch(ctx: Ctx, v: unknown, goType: string, kind: 'struct' | 'map' | 'slice' | 'string' | 'bool' | 'float64' | 'int32' | 'int64'): typeof SKIP {
  if (ctx.mode === 'json') {
    ctx.saved ??= fieldError(ctx, jsonWord(v), goType);
    return SKIP;
  }
  const from = unstructuredKind(v);
  switch (kind) {
    case 'struct':
      throw new Stop(`cannot restore struct from: ${from}`);
    case 'slice':
      throw new Stop(`cannot restore slice from ${from}`);
    case 'map':
      throw new Stop(`cannot restore map from ${from}`);
    default:
      // reflect: an integer converts to a string (as a rune), nothing else crosses kinds.
      if (from === 'int64' && kind === 'string') throw new Stop(`cannot convert int64 to ${goType}`);
      if (from === 'float64' && (kind === 'int32' || kind === 'int64')) throw new Stop(`cannot convert float64 to ${goType}`);
      throw new Stop(`unrecognized type: ${kind}`);
  }
}

function integer(ctx: Ctx, v: unknown, goType: string, r: { min: number; max: number }, kind: 'int32' | 'int64'): unknown {
  if (typeof v !== 'number') return mismatch(ctx, v, goType, kind);
  if (!Number.isInteger(v)) {
    if (ctx.mode === 'unstructured') return mismatch(ctx, v, goType, kind);
    ctx.saved ??= fieldError(ctx, `number ${numberLiteral(v)}`, goType);
    return SKIP;
  }
  if (v < r.min || v > r.max || v === INT64.max) {
    // Upstream's unstructured converter narrows int64 to int32 silently (2147483648 becomes
    // -2147483648, 4294967297 becomes 1); kubesvc refuses instead, in the JSON decoder's words,
    // because a silent wrap would act on a count nobody asked for.
    const msg = fieldError(ctx, `number ${numberLiteral(v)}`, goType);
    if (ctx.mode === 'unstructured') throw new Stop(msg);
    ctx.saved ??= msg;
    return SKIP;
  }
  return v;
}

/**
 * A []byte field (format "byte"): encoding/json takes a base64 string. Its base64 error is saved
 * like a type mismatch (decoding goes on); the unstructured converter, which re-decodes the
 * string through encoding/json, stops at it with the same words.
 */
function bytes(ctx: Ctx, v: unknown, goType: string): unknown {
  // encoding/json also fills a []byte from a JSON array of bytes; it is stored as base64 again.
  if (Array.isArray(v) && ctx.mode === 'json') {
    const bad = v.find((b) => !(typeof b === 'number' && Number.isInteger(b) && b >= 0 && b <= 255));
    if (bad === undefined) return Buffer.from(v as number[]).toString('base64');
    ctx.saved ??= fieldError(ctx, typeof bad === 'number' ? `number ${numberLiteral(bad)}` : jsonWord(bad), 'uint8');
    return SKIP;
  }
  if (typeof v !== 'string') return mismatch(ctx, v, goType, 'slice');
  const err = base64Error(v);
  if (err === undefined) return v;
  if (ctx.mode === 'unstructured') throw new Stop(err);
  ctx.saved ??= err;
  return SKIP;
}

/** intstr.IntOrString.UnmarshalJSON: a string, or else an int32 decoded by encoding/json. */
function intOrString(v: unknown): unknown {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= INT32.min && v <= INT32.max) return v;
    throw new Stop(`json: cannot unmarshal number ${numberLiteral(v)} into Go value of type int32`);
  }
  throw new Stop(`json: cannot unmarshal ${jsonWord(v)} into Go value of type int32`);
}

/** resource.Quantity.UnmarshalJSON: the JSON text (quotes removed) must parse as a quantity. */
function quantity(v: unknown): unknown {
  const text = typeof v === 'string' ? v.trim() : typeof v === 'number' ? numberLiteral(v) : JSON.stringify(v);
  const err = quantityError(text);
  if (err) throw new Stop(err);
  return v;
}

/** metav1.Time / MicroTime.UnmarshalJSON: a JSON string in RFC 3339 (with microseconds for MicroTime). */
function time(v: unknown, micro: boolean): unknown {
  if (typeof v !== 'string') throw new Stop(`json: cannot unmarshal ${jsonWord(v)} into Go value of type string`);
  const err = timeParseError(v, micro);
  if (err) throw new Stop(err);
  return v;
}
