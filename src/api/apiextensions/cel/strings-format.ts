// `'%s has %d replicas'.format([name, n])`: cel-go's ext.Strings format() (introduced at strings
// version 1; Kubernetes 1.32 enables version 2, cel-go v0.22.0, ext/formatting.go), with its verbs,
// its output and its error texts. Kubernetes does not enable the compile-time format check
// (StringsValidateFormatCalls), so every mistake surfaces when the rule runs.
//
// The locale is cel-go's default, en_US, through golang.org/x/text/message for %f and %e: %f
// groups thousands with commas and writes ∞ for infinity; %e writes `2.718280 × 10⁰⁰`. The
// verb's precision (`%.2f`) applies to %f only: cel-go builds `%<n>e`, a width, for %e.
import type { Environment } from '@marcbachmann/cel-js';
import { goFloatG, goQuote } from '../../../machinery/goformat.js';

/** The CEL type name of a value as cel-go prints it in format errors. */
function typeName(v: unknown): string {
  if (v === null) return 'null_type';
  switch (typeof v) {
    case 'bigint':
      return 'int';
    case 'number':
      return 'double';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
  }
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof Date) return 'google.protobuf.Timestamp';
  if (v instanceof Map) return 'map';
  const ctor = (v as object).constructor?.name;
  if (ctor === 'UnsignedInt') return 'uint';
  if (ctor === 'Duration') return 'google.protobuf.Duration';
  if (ctor === 'Type') return 'type';
  if (ctor === 'Optional') return 'optional_type';
  if (ctor === 'Object' || ctor === undefined) return 'map';
  return ctor;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Timestamp as Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped. */
function rfc3339Nano(d: Date): string {
  return d.toISOString().replace(/\.?0+Z$/, 'Z').replace(/\.Z$/, 'Z');
}

function durationString(v: unknown): string {
  const d = v as { seconds: bigint; nanos: number };
  const neg = d.seconds < 0n || d.nanos < 0;
  const secs = d.seconds < 0n ? -d.seconds : d.seconds;
  const frac = Math.abs(d.nanos) ? `.${String(Math.abs(d.nanos)).padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${neg ? '-' : ''}${secs}${frac}s`;
}

function typeValueName(v: unknown): string {
  return String((v as { name: string }).name);
}

class FormatError extends Error {}

const stringClauseTypes = 'strings, bools, bytes, ints, doubles, maps, lists, types, durations, and timestamps';

/** %s of a value (FormatString). */
function formatString(v: unknown): string {
  switch (typeName(v)) {
    case 'list':
      return `[${(v as unknown[]).map(member).join(', ')}]`;
    case 'map':
      return formatMap(v);
    case 'null_type':
      return 'null';
    case 'double':
      return goFloatG(v as number);
    case 'bytes':
      try {
        return decoder.decode(v as Uint8Array);
      } catch {
        throw new FormatError('invalid UTF-8 in bytes, cannot convert to string');
      }
    case 'google.protobuf.Timestamp':
      return rfc3339Nano(v as Date);
    case 'google.protobuf.Duration':
      return durationString(v);
    case 'type':
      return typeValueName(v);
    case 'int':
    case 'uint':
    case 'bool':
    case 'string':
      return String(v);
    default:
      throw new FormatError(`string clause can only be used on ${stringClauseTypes}, was given ${typeName(v)}`);
  }
}

/** A member of a list or map inside %s: clauseForType, then quoted as a CEL literal (quoteForCEL). */
function member(v: unknown): string {
  const t = typeName(v);
  switch (t) {
    case 'string':
      return goQuote(v as string);
    case 'bytes':
      return `b${goQuote(formatString(v))}`;
    case 'double': {
      const x = v as number;
      return Number.isFinite(x) ? x.toFixed(6) : goQuote(goFloatG(x));
    }
    case 'google.protobuf.Timestamp':
      return `timestamp(${goQuote(rfc3339Nano(v as Date))})`;
    case 'google.protobuf.Duration':
      return `duration(${goQuote(durationString(v))})`;
    case 'int':
    case 'uint':
    case 'bool':
    case 'null_type':
    case 'type':
    case 'list':
    case 'map':
      return formatString(v);
    default:
      throw new FormatError(`no formatting function for ${t}`);
  }
}

/** A map as `{key:value, ...}`, sorted by the formatted key. */
function formatMap(v: unknown): string {
  const entries: [unknown, unknown][] = v instanceof Map ? [...v] : Object.entries(v as object);
  const pairs = entries.map(([k, x]) => {
    const kt = typeName(k);
    if (!['string', 'bool', 'int', 'uint'].includes(kt)) throw new FormatError(`no formatting function for map key of type ${kt}`);
    return [kt === 'string' ? goQuote(k as string) : String(k), member(x)] as const;
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `{${pairs.map(([k, x]) => `${k}:${x}`).join(', ')}}`;
}

function decimal(v: unknown): string {
  const t = typeName(v);
  if (t !== 'int' && t !== 'uint') throw new FormatError(`decimal clause can only be used on integers, was given ${t}`);
  return String(v);
}

/** The double a %f or %e clause takes: a double, or the strings NaN, Infinity and -Infinity. */
function floatArg(v: unknown, clause: string): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return Number(v);
  throw new FormatError(`${clause} clause can only be used on doubles, was given ${typeName(v)}`);
}

/** x/text/message's en_US decimal: thousands grouped with commas, ∞ for infinity. */
function localizedFixed(x: number, precision: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  const neg = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  // toFixed switches to exponent form from 1e21 on, where a double has no fraction left anyway.
  const fixed = abs < 1e21 ? abs.toFixed(Math.min(precision, 100)) : `${BigInt(abs)}${precision > 0 ? `.${'0'.repeat(precision)}` : ''}`;
  const [int, frac] = fixed.split('.') as [string, string | undefined];
  const grouped = int.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${neg ? '-' : ''}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

const superscript = '⁰¹²³⁴⁵⁶⁷⁸⁹';

/** x/text/message's en_US scientific form: `1.234500 × 10⁰³`, `1.000000 × 10⁻⁰⁵`. */
function localizedScientific(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  const [mantissa, e] = x.toExponential(6).split('e') as [string, string];
  const exp = Number(e);
  const digits = String(Math.abs(exp)).padStart(2, '0').replace(/\d/g, (d) => superscript[Number(d)]!);
  return `${mantissa}\u202f×\u202f10${exp < 0 ? '⁻' : ''}${digits}`;
}

function binary(v: unknown): string {
  const t = typeName(v);
  if (t === 'bool') return v ? '1' : '0';
  if (t !== 'int' && t !== 'uint') throw new FormatError(`only integers and bools can be formatted as binary, was given ${t}`);
  return BigInt(v as bigint).toString(2);
}

function hex(v: unknown, upper: boolean): string {
  const t = typeName(v);
  let out: string;
  if (t === 'string' || t === 'bytes') {
    const bytes = t === 'string' ? new TextEncoder().encode(v as string) : (v as Uint8Array);
    out = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  } else if (t === 'int' || t === 'uint') out = BigInt(v as bigint).toString(16);
  else throw new FormatError(`only integers, byte buffers, and strings can be formatted as hex, was given ${t}`);
  return upper ? out.toUpperCase() : out;
}

function octal(v: unknown): string {
  const t = typeName(v);
  if (t !== 'int' && t !== 'uint') throw new FormatError(`octal clause can only be used on integers, was given ${t}`);
  return BigInt(v as bigint).toString(8);
}

/** The clause after '%' at `at`: [characters read after the '%', formatter]. */
function parseClause(f: string, at: number): [number, (v: unknown) => string] {
  let i = at;
  let precision: number | undefined;
  if (f[i] === '.') {
    i++;
    let digits = '';
    for (;;) {
      if (i >= f.length) throw new Error('could not parse formatting clause: error while parsing precision: could not find end of precision specifier');
      if (!/[0-9]/.test(f[i]!)) break;
      digits += f[i++];
    }
    if (!digits) {
      throw new Error('could not parse formatting clause: error while parsing precision: error while converting precision to integer: strconv.Atoi: parsing "": invalid syntax');
    }
    precision = Number(digits);
  }
  const verb = f[i]!;
  const read = i + 1 - at;
  switch (verb) {
    case 's':
      return [read, formatString];
    case 'd':
      return [read, decimal];
    case 'f':
      return [read, (v) => localizedFixed(floatArg(v, 'fixed-point'), precision ?? 6)];
    case 'e':
      return [read, (v) => localizedScientific(floatArg(v, 'scientific'))];
    case 'b':
      return [read, binary];
    case 'x':
    case 'X':
      return [read, (v) => hex(v, verb === 'X')];
    case 'o':
      return [read, octal];
    default:
      throw new Error(`could not parse formatting clause: unrecognized formatting clause "${verb}"`);
  }
}

/** `format` with the list `args`, as cel-go's parseFormatString. Throws cel-go's error text. */
export function celFormat(f: string, args: readonly unknown[]): string {
  let out = '';
  let argIndex = 0;
  for (let i = 0; i < f.length; ) {
    if (f[i] !== '%') {
      out += f[i++];
      continue;
    }
    if (f[i + 1] === '%') {
      out += '%';
      i += 2;
      continue;
    }
    if (argIndex >= args.length) throw new Error(`index ${argIndex} out of range`);
    if (i + 1 >= f.length) throw new Error('unexpected end of string');
    const [read, fmt] = parseClause(f, i + 1);
    try {
      out += fmt(args[argIndex]);
    } catch (e) {
      if (e instanceof FormatError) throw new Error(`error during formatting: ${e.message}`);
      throw e;
    }
    i += 1 + read;
    argIndex++;
  }
  return out;
}

export function registerStringsFormat(env: Environment): void {
  env.registerFunction('string.format(list): string', (f: string, args: unknown[]) => celFormat(f, [...args]));
}
