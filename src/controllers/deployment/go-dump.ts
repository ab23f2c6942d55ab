// What go-spew prints for a Go value with `%#v` under hashutil.DeepHashObject's settings
// (SortKeys, DisableMethods, SpewKeys): `(v1.PodTemplateSpec){ObjectMeta:(v1.ObjectMeta){Name:(string)
// ...}}`. Upstream's pod-template-hash is FNV-1a over exactly this text, so reproducing it gives the
// same ReplicaSet names upstream would. The Go layout (field order, Go names, pointer, slice and map
// shapes) comes from the generated table of upstream's struct tags (k8s.io/api v0.32.0), a pure
// description of the API types; named string types, which the table does not record, are listed
// in api/go-named-types.ts. Quantities follow resource.ParseQuantity's fast path; anything it sends to the slow path
// (inf.Dec) is rendered approximately, as are non-zero timestamps (their time.Location is the
// process's local zone, which no one can reproduce anyway).
import { MESSAGES } from '../../apiserver/protobuf/generated.js';
import type { FieldDef } from '../../apiserver/protobuf/types.js';
import { namedTypes } from '../../api/go-named-types.js';


const scalarNames: Record<string, string> = {
  string: 'string',
  bool: 'bool',
  int32: 'int32',
  int64: 'int64',
  uint32: 'uint32',
  uint64: 'uint64',
  double: 'float64',
  float: 'float32',
  bytes: '[]uint8',
};

/** Go's reflect Type.String() of a generated message: package name and type name. */
export function goTypeName(msg: string): string {
  const parts = msg.split('.');
  return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
}

function shortName(msg: string): string {
  return msg.slice(msg.lastIndexOf('.') + 1);
}

type GoType =
  | { kind: 'scalar'; name: string; scalar: string }
  | { kind: 'struct'; name: string; msg: string }
  | { kind: 'ptr'; name: string; elem: GoType }
  | { kind: 'slice'; name: string; elem: GoType }
  | { kind: 'map'; name: string; value: GoType };

function fieldType(owner: string, f: FieldDef): GoType {
  const named = namedTypes[`${shortName(owner)}.${f.go}`];
  let elem: GoType;
  if (f.map) {
    const value: GoType = f.type === 'message' ? { kind: 'struct', name: goTypeName(f.msg!), msg: f.msg! } : { kind: 'scalar', name: 'string', scalar: 'string' };
    return { kind: 'map', name: named ?? `map[string]${value.name}`, value };
  }
  if (f.type === 'message') elem = { kind: 'struct', name: goTypeName(f.msg!), msg: f.msg! };
  else elem = { kind: 'scalar', name: named ?? scalarNames[f.type] ?? f.type, scalar: f.type };
  if (f.rep) return { kind: 'slice', name: `[]${elem.name}`, elem };
  if (f.ptr) return { kind: 'ptr', name: `*${elem.name}`, elem };
  return elem;
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v as object).length === 0;
}

/** spew's formatter.format: `showType` unless the value is a slice element or a map key/value. */
function format(v: unknown, t: GoType, showType: boolean): string {
  const prefix = showType ? `(${t.name})` : '';
  switch (t.kind) {
    case 'ptr': {
      if (v === undefined || v === null) return showType ? `(${t.name})<nil>` : '<nil>';
      return (showType ? `(${t.name})` : '<*>') + format(v, t.elem, false);
    }
    case 'slice':
      // Decoded from protobuf (as upstream's informers are), an empty list is a nil slice.
      if (isEmpty(v)) return `${prefix}<nil>`;
      return `${prefix}[${(v as unknown[]).map((x) => format(x, t.elem, false)).join(' ')}]`;
    case 'map': {
      if (isEmpty(v)) return `${prefix}<nil>`;
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o).sort();
      return `${prefix}map[${keys.map((k) => `${k}:${format(o[k], t.value, false)}`).join(' ')}]`;
    }
    case 'scalar':
      return prefix + scalar(v, t.scalar);
    case 'struct':
      return prefix + struct(v, t.msg);
  }
}

function scalar(v: unknown, type: string): string {
  switch (type) {
    case 'string':
      return typeof v === 'string' ? v : '';
    case 'bool':
      return v === true ? 'true' : 'false';
    case 'bytes':
      return isEmpty(v) ? '<nil>' : `[${[...Buffer.from(String(v), 'base64')].join(' ')}]`;
    default:
      return typeof v === 'number' ? String(v) : '0';
  }
}

const zeroTime = '{Time:(time.Time){wall:(uint64)0 ext:(int64)0 loc:(*time.Location)<nil>}}';

function struct(v: unknown, msg: string): string {
  const def = MESSAGES[msg];
  if (!def) return '{}';
  switch (def.special) {
    case 'time':
    case 'microtime':
      return timeValue(v);
    case 'intstr':
      return intOrString(v);
    case 'quantity':
      return quantity(v);
    default:
      break;
  }
  const o = (v ?? {}) as Record<string, unknown>;
  const parts = def.fields
    .filter((f) => !f.hidden)
    .map((f) => `${f.go}:${format(f.inline ? o : o[f.json], fieldType(msg, f), true)}`);
  return `{${parts.join(' ')}}`;
}

function timeValue(v: unknown): string {
  if (typeof v !== 'string' || v === '') return zeroTime;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return zeroTime;
  const frac = /\.(\d+)/.exec(v)?.[1] ?? '';
  const nanos = Number((frac + '000000000').slice(0, 9));
  const seconds = Math.floor(ms / 1000) + 62135596800;
  return `{Time:(time.Time){wall:(uint64)${nanos} ext:(int64)${seconds} loc:(*time.Location){}}}`;
}

function intOrString(v: unknown): string {
  if (typeof v === 'number') return `{Type:(intstr.Type)0 IntVal:(int32)${v} StrVal:(string)}`;
  return `{Type:(intstr.Type)1 IntVal:(int32)0 StrVal:(string)${typeof v === 'string' ? v : ''}}`;
}

/** resource.ParseQuantity's fast path: int64Amount{value, scale}, keeping the text when canonical. */
export function parseQuantityFast(str: string): { value: bigint; scale: number; format: string; s: string } | undefined {
  if (str === '0') return { value: 0n, scale: 0, format: 'DecimalSI', s: '0' };
  const m = /^([+-]?)0*(\d*)(?:\.(\d*))?([a-zA-Z]*|[eE][+-]?\d+)$/.exec(str);
  if (!m) return undefined;
  const positive = m[1] !== '-';
  const num = m[2] || '0';
  const denom = m[3] ?? '';
  const suffix = m[4] ?? '';
  const decimal: Record<string, number> = { '': 0, n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
  const binary: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
  let format: string;
  let exponent: number;
  if (suffix in decimal) {
    format = 'DecimalSI';
    exponent = decimal[suffix]!;
  } else if (suffix in binary) {
    format = 'BinarySI';
    exponent = binary[suffix]!;
  } else if (/^[eE][+-]?\d+$/.test(suffix)) {
    format = 'DecimalExponent';
    exponent = Number(suffix.slice(1));
  } else return undefined;
  let scale = 0;
  let precision: number;
  let mantissa = 1n;
  if (format === 'BinarySI') {
    if (exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else precision = -1;
  } else {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }
  if (precision < 0) return undefined;
  scale -= denom.length;
  if (scale < -9) return undefined;
  const shifted = num + denom;
  const value = BigInt(shifted);
  let result = value * mantissa;
  if (result > 9223372036854775807n) return undefined;
  if (!positive) result = -result;
  let canonical: boolean;
  if (format === 'BinarySI') canonical = exponent % 10 === 0 && (value & 7n) !== 0n;
  else canonical = scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
  return { value: result, scale, format, s: canonical ? str : '' };
}

function quantity(v: unknown): string {
  const q = typeof v === 'string' ? parseQuantityFast(v.trim()) : typeof v === 'number' ? parseQuantityFast(String(v)) : undefined;
  if (!q) {
    return `{i:(resource.int64Amount){value:(int64)0 scale:(resource.Scale)0} d:(resource.infDecAmount){Dec:(*inf.Dec)<nil>} s:(string)${typeof v === 'string' ? v : ''} Format:(resource.Format)}`;
  }
  return `{i:(resource.int64Amount){value:(int64)${q.value} scale:(resource.Scale)${q.scale}} d:(resource.infDecAmount){Dec:(*inf.Dec)<nil>} s:(string)${q.s} Format:(resource.Format)${q.format}}`;
}

/** spew.Sprintf("%#v", template) for a v1.PodTemplateSpec given as JSON. */
export function dumpPodTemplateSpec(template: unknown): string {
  return format(template, { kind: 'struct', name: 'v1.PodTemplateSpec', msg: 'k8s.io.api.core.v1.PodTemplateSpec' }, true);
}
