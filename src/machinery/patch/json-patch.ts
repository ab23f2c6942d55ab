// RFC 6902 JSON patch as the apiserver applies it (gopkg.in/evanphx/json-patch.v4, which
// Kubernetes 1.32 vendors), including its deviations from the RFC that clients can observe:
// negative array indices count from the end, `replace` of a missing object member adds it, and
// `copy` from a missing member copies null.
import { StatusError, errors } from '../status.js';
import { goJsonKind } from '../goformat.js';
import { withinDepth } from './depth-guard.js';
import { clone, isObject, jsonEqual, type JsonObject } from './json.js';

/** The apiserver's cap on operations per JSON patch (maxJSONPatchOperations). */
export const maxJsonPatchOperations = 10000;

// Errors carry json-patch's text, wrapped the way github.com/pkg/errors prints ("outer: inner").
class PatchFailure extends Error {}
const missing = 'missing value';
const invalidIndex = 'invalid index referenced';
const wrap = (msg: string, inner: string) => new PatchFailure(`${msg}: ${inner}`);

// Arrays are edited in place (splice), so a container needs no link back to its parent.
type Container = { kind: 'object'; v: JsonObject } | { kind: 'array'; v: unknown[] };

// strconv.Atoi's accepted syntax and error text.
function atoi(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw new PatchFailure(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n > 9223372036854775807n || n < -9223372036854775808n) {
    throw new PatchFailure(`strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`);
  }
  return Number(n);
}

/** RFC 6901: "~1" → "/" then "~0" → "~", in one left-to-right pass. */
function decodeToken(t: string): string {
  return t.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));
}

class Doc {
  constructor(public root: unknown) {}

  /** findObject: the container holding the last token of `path`, and that token; undefined if absent. */
  find(path: string): [Container, string] | undefined {
    const split = path.split('/');
    if (split.length < 2) return undefined;
    let cur = this.container(this.root);
    if (!cur) return undefined;
    for (const part of split.slice(1, -1)) {
      let next: unknown;
      try {
        next = this.get(cur, decodeToken(part));
      } catch {
        return undefined;
      }
      cur = this.container(next);
      if (!cur) return undefined;
    }
    return [cur, decodeToken(split[split.length - 1]!)];
  }

  private container(v: unknown): Container | undefined {
    if (Array.isArray(v)) return { kind: 'array', v };
    if (isObject(v)) return { kind: 'object', v };
    return undefined;
  }

  private index(arr: unknown[], key: string, forAdd: boolean): number {
    let idx = atoi(key);
    const len = forAdd ? arr.length + 1 : arr.length;
    if (forAdd && idx >= len) throw wrap(`Unable to access invalid index: ${idx}`, invalidIndex);
    if (idx < 0) {
      if (idx < -len) throw wrap(`Unable to access invalid index: ${idx}`, invalidIndex);
      idx += len;
    }
    if (!forAdd && idx >= len) throw wrap(`Unable to access invalid index: ${idx}`, invalidIndex);
    return idx;
  }

  /** Missing object members read as undefined (json-patch v4 does not treat that as an error). */
  get(c: Container, key: string): unknown {
    if (c.kind === 'object') return Object.prototype.hasOwnProperty.call(c.v, key) ? c.v[key] : undefined;
    return c.v[this.index(c.v, key, false)];
  }

  add(c: Container, key: string, val: unknown): void {
    if (c.kind === 'object') {
      c.v[key] = val;
      return;
    }
    if (key === '-') {
      c.v.push(val);
      return;
    }
    let idx: number;
    try {
      idx = atoi(key);
    } catch (e) {
      throw wrap(`value was not a proper array index: '${key}'`, (e as Error).message);
    }
    idx = this.index(c.v, String(idx), true);
    c.v.splice(idx, 0, val);
  }

  set(c: Container, key: string, val: unknown): void {
    if (c.kind === 'object') c.v[key] = val;
    else c.v[this.index(c.v, key, false)] = val;
  }

  remove(c: Container, key: string): void {
    if (c.kind === 'object') {
      if (!Object.prototype.hasOwnProperty.call(c.v, key)) {
        throw wrap(`Unable to remove nonexistent key: ${key}`, missing);
      }
      delete c.v[key];
      return;
    }
    c.v.splice(this.index(c.v, key, false), 1);
  }
}

type Op = JsonObject;

function strField(op: Op, name: 'path' | 'from'): string {
  const v = op[name];
  if (v === undefined || v === null) {
    throw wrap(name === 'path' ? 'operation missing path field' : 'operation, missing from field', missing);
  }
  if (typeof v !== 'string') {
    throw new PatchFailure(`json: cannot unmarshal ${goJsonKind(v)} into Go value of type string`);
  }
  return v;
}

/** The JSON type name encoding/json puts in its UnmarshalTypeError text. */
function value(op: Op): unknown {
  return op['value'] === undefined ? null : clone(op['value']);
}

/**
 * RFC 6901: a pointer is "" or starts with "/", and "~" only escapes "0" or "1". json-patch v4
 * ignores whatever precedes the first "/", so `spec/ports` acted on a top-level `ports`; refuse
 * such a pointer instead of guessing which member was meant.
 */
function checkPointer(field: 'path' | 'from', p: string): void {
  if (p !== '' && !p.startsWith('/')) {
    throw new PatchFailure(`invalid JSON pointer in ${field}: ${JSON.stringify(p)}: must be empty or begin with "/" (RFC 6901)`);
  }
  if (/~(?![01])/.test(p)) {
    throw new PatchFailure(`invalid JSON pointer in ${field}: ${JSON.stringify(p)}: "~" must be followed by "0" or "1" (RFC 6901)`);
  }
}

function applyOp(doc: Doc, op: Op): void {
  const kind = typeof op['op'] === 'string' ? op['op'] : 'unknown';
  for (const field of ['path', 'from'] as const) {
    const p = op[field];
    if (typeof p === 'string') checkPointer(field, p);
  }
  switch (kind) {
    case 'add': {
      let path: string;
      try {
        path = strField(op, 'path');
      } catch {
        throw wrap('add operation failed to decode path', missing);
      }
      const found = doc.find(path);
      if (!found) throw wrap(`add operation does not apply: doc is missing path: "${path}"`, missing);
      try {
        doc.add(found[0], found[1], value(op));
      } catch (e) {
        throw wrap(`error in add for path: '${path}'`, (e as Error).message);
      }
      return;
    }
    case 'remove': {
      let path: string;
      try {
        path = strField(op, 'path');
      } catch {
        throw wrap('remove operation failed to decode path', missing);
      }
      const found = doc.find(path);
      if (!found) throw wrap(`remove operation does not apply: doc is missing path: "${path}"`, missing);
      try {
        doc.remove(found[0], found[1]);
      } catch (e) {
        throw wrap(`error in remove for path: '${path}'`, (e as Error).message);
      }
      return;
    }
    case 'replace': {
      let path: string;
      try {
        path = strField(op, 'path');
      } catch (e) {
        throw wrap('replace operation failed to decode path', (e as Error).message);
      }
      if (path === '') {
        // json-patch v4 swaps the whole document for an object or array and silently ignores
        // anything else (its error wraps a nil error, which is no error at all).
        const v = value(op);
        if (isObject(v) || Array.isArray(v)) doc.root = v;
        return;
      }
      const found = doc.find(path);
      if (!found) throw wrap(`replace operation does not apply: doc is missing path: ${path}`, missing);
      try {
        doc.get(found[0], found[1]);
      } catch {
        throw wrap(`replace operation does not apply: doc is missing key: ${path}`, missing);
      }
      doc.set(found[0], found[1], value(op));
      return;
    }
    case 'move': {
      let from: string;
      try {
        from = strField(op, 'from');
      } catch (e) {
        throw wrap('move operation failed to decode from', (e as Error).message);
      }
      const src = doc.find(from);
      if (!src) throw wrap(`move operation does not apply: doc is missing from path: ${from}`, missing);
      let val: unknown;
      try {
        val = doc.get(src[0], src[1]);
        doc.remove(src[0], src[1]);
      } catch (e) {
        throw wrap(`error in move for path: '${src[1]}'`, (e as Error).message);
      }
      let path: string;
      try {
        path = strField(op, 'path');
      } catch (e) {
        throw wrap('move operation failed to decode path', (e as Error).message);
      }
      const dst = doc.find(path);
      if (!dst) throw wrap(`move operation does not apply: doc is missing destination path: ${path}`, missing);
      try {
        doc.add(dst[0], dst[1], val);
      } catch (e) {
        throw wrap(`error in move for path: '${path}'`, (e as Error).message);
      }
      return;
    }
    case 'copy': {
      let from: string;
      try {
        from = strField(op, 'from');
      } catch (e) {
        throw wrap('copy operation failed to decode from', (e as Error).message);
      }
      const src = doc.find(from);
      if (!src) throw wrap(`copy operation does not apply: doc is missing from path: ${from}`, missing);
      let val: unknown;
      try {
        val = doc.get(src[0], src[1]);
      } catch (e) {
        throw wrap(`error in copy for from: '${from}'`, (e as Error).message);
      }
      let path: string;
      try {
        path = strField(op, 'path');
      } catch {
        throw wrap('copy operation failed to decode path', missing);
      }
      const dst = doc.find(path);
      if (!dst) throw wrap(`copy operation does not apply: doc is missing destination path: ${path}`, missing);
      try {
        doc.add(dst[0], dst[1], val === undefined ? null : clone(val));
      } catch (e) {
        throw wrap('error while adding value during copy', (e as Error).message);
      }
      return;
    }
    case 'test': {
      let path: string;
      try {
        path = strField(op, 'path');
      } catch (e) {
        throw wrap('test operation failed to decode path', (e as Error).message);
      }
      const failed = () => wrap(`testing value ${path} failed`, 'test failed');
      const want = op['value'] === undefined ? null : op['value'];
      if (path === '') {
        if (jsonEqual(doc.root, want)) return;
        throw failed();
      }
      const found = doc.find(path);
      if (!found) throw wrap(`test operation does not apply: is missing path: ${path}`, missing);
      let got: unknown;
      try {
        got = doc.get(found[0], found[1]);
      } catch (e) {
        throw wrap(`error in test for path: '${path}'`, (e as Error).message);
      }
      // A missing member and a null both equal a null (or absent) test value.
      if (got === undefined || got === null) {
        if (want === null) return;
        throw failed();
      }
      if (jsonEqual(got, want)) return;
      throw failed();
    }
    default:
      throw new PatchFailure(`Unexpected kind: ${kind}`);
  }
}

/**
 * Applies RFC 6902 operations to a copy of `doc`. Failures are the apiserver's:
 * - ops not a list of objects → 400 BadRequest (jsonpatch.DecodePatch's decode error);
 * - more than 10000 operations → 413 RequestEntityTooLarge;
 * - an operation that does not apply (or a path that is not an RFC 6901 pointer) → 422 Invalid
 *   with the generic message `the server rejected our request due to an error in our request`;
 *   upstream drops json-patch's own text, kubesvc keeps it in details.causes (field: the
 *   operation's index) and as the error's `cause`.
 */
export function applyJsonPatch(doc: unknown, ops: unknown): unknown {
  return withinDepth(() => applyJsonPatchUnguarded(doc, ops));
}

function applyJsonPatchUnguarded(doc: unknown, ops: unknown): unknown {
  if (ops === null || ops === undefined) return clone(doc);
  if (!Array.isArray(ops)) {
    throw errors.badRequest(`json: cannot unmarshal ${goJsonKind(ops)} into Go value of type jsonpatch.Patch`);
  }
  for (const op of ops) {
    if (op !== null && !isObject(op)) {
      throw errors.badRequest(`json: cannot unmarshal ${goJsonKind(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (ops.length > maxJsonPatchOperations) {
    throw new StatusError(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${maxJsonPatchOperations}, got ${ops.length}`,
    );
  }
  const d = new Doc(clone(doc));
  for (const [i, op] of (ops as (Op | null)[]).entries()) {
    try {
      applyOp(d, op ?? {});
    } catch (e) {
      if (e instanceof StatusError) throw e;
      // Upstream's code, reason and message, but with json-patch's own text kept as the cause
      // (upstream drops it, leaving the client to guess which operation failed and why).
      const why = e instanceof Error ? e.message : String(e);
      const err = new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
        causes: [{ reason: 'FieldValueInvalid', field: `[${i}]`, message: why }],
      });
      err.cause = e;
      throw err;
    }
  }
  return d.root;
}
