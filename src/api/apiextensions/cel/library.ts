// The Kubernetes CEL extension functions the CEL library lacks (k8s.io/apiserver/pkg/cel/library
// and cel-go's ext.Strings/ext.Lists/ext.Sets as Kubernetes 1.32 enables them for CRDs): list
// isSorted/sum/min/max/indexOf/lastIndexOf, strings replace/charAt/quote/format (ext.Strings
// version 2: reverse() came with version 3, which 1.32 does not enable), sets contains/equivalent/
// intersects, regex matches(), find() and findAll() on RE2 instead of JavaScript's backtracking
// engine. The URL, IP/CIDR and quantity libraries have files of their own.
import type { Environment } from '@marcbachmann/cel-js';
import { jsonEqual } from '../json.js';
import { compileRegex, regexMatches } from '../regex.js';
import { regexFind, regexFindAll } from '../regex-find.js';
import { wellFormed } from '../../../machinery/goformat.js';
import { registerStringsFormat } from './strings-format.js';
import { matchesName, namespacedName } from './rewrite.js';

type Cmp = bigint | number | string | boolean;

function compare(a: Cmp, b: Cmp): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function listOf(v: unknown): Cmp[] {
  return Array.isArray(v) ? (v as Cmp[]) : [...(v as Iterable<Cmp>)];
}

function reduceList(l: unknown, pick: (a: Cmp, b: Cmp) => boolean, name: string): Cmp {
  const xs = listOf(l);
  if (xs.length === 0) throw new Error(`${name}(): list must not be empty`);
  return xs.reduce((acc, x) => (pick(x, acc) ? x : acc));
}

/** CEL equality of list elements: numbers across int/uint/double, deep for maps and lists. */
export function celEquals(a: unknown, b: unknown): boolean {
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) return Number(a) === Number(b) && (typeof a !== 'bigint' || typeof b !== 'bigint' || a === b);
  if (a instanceof Map || b instanceof Map || typeof a === 'object' || typeof b === 'object') return jsonEqual(plain(a), plain(b));
  return a === b;
}

function plain(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  return typeof v === 'bigint' ? Number(v) : v;
}

const containsAll = (a: unknown, b: unknown) => listOf(b).every((x) => listOf(a).some((y) => celEquals(x, y)));

/** Registers each function once; a signature the library already has is left as it is. */
function add(env: Environment, signature: string, handler: (...args: never[]) => unknown): void {
  try {
    env.registerFunction(signature, handler as (...args: unknown[]) => unknown);
  } catch {
    // The library ships this overload itself.
  }
}

/** The pattern, or upstream's `Illegal regex: <Go's parse error>` for one that does not compile. */
function illegal(pattern: string): string {
  const re = compileRegex(pattern);
  if (re instanceof Error) throw new Error(`Illegal regex: ${re.message}`);
  return pattern;
}

/** Go's int(n) of an int64 limit; beyond what a string can hold it means "all" either way. */
const clampInt = (n: bigint) => (n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : n < -1n ? -1 : Number(n));

const celEscapes: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };
const celQuote = (s: string) => `"${[...wellFormed(s)].map((c) => celEscapes[c] ?? c).join('')}"`;

/** cel-go's string(duration): the seconds in decimal, shortest form, then "s" (1h → "3600s"). */
function durationString(d: { seconds: bigint | number; nanos: number }): string {
  const total = BigInt(d.seconds) * 1_000_000_000n + BigInt(d.nanos);
  const sign = total < 0n ? '-' : '';
  const abs = total < 0n ? -total : total;
  const frac = (abs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${sign}${abs / 1_000_000_000n}${frac ? `.${frac}` : ''}s`;
}

/** cel-go's string(timestamp): RFC 3339 in UTC with the fraction's trailing zeros dropped (Go's RFC3339Nano). */
const timestampString = (t: Date) => t.toISOString().replace(/\.?0*Z$/, 'Z');

export function registerKubernetesLibrary(env: Environment): void {
  // cel-go's standard conversions that the library lacks: string() of a duration or timestamp,
  // and the identity duration()/timestamp(), which a rule on a typed (format: duration) field uses.
  add(env, 'string(google.protobuf.Duration): string', durationString);
  add(env, 'string(google.protobuf.Timestamp): string', timestampString);
  add(env, 'duration(google.protobuf.Duration): google.protobuf.Duration', (d: unknown) => d);
  add(env, 'timestamp(google.protobuf.Timestamp): google.protobuf.Timestamp', (t: unknown) => t);
  for (const t of ['int', 'double', 'string', 'uint', 'bool']) {
    add(env, `list<${t}>.isSorted(): bool`, (l: unknown) => listOf(l).every((x, i, a) => i === 0 || compare(a[i - 1]!, x) <= 0));
    add(env, `list<${t}>.min(): ${t}`, (l: unknown) => reduceList(l, (a, b) => compare(a, b) < 0, 'min'));
    add(env, `list<${t}>.max(): ${t}`, (l: unknown) => reduceList(l, (a, b) => compare(a, b) > 0, 'max'));
    add(env, `list<${t}>.indexOf(${t}): int`, (l: unknown, x: Cmp) => BigInt(listOf(l).indexOf(x)));
    add(env, `list<${t}>.lastIndexOf(${t}): int`, (l: unknown, x: Cmp) => BigInt(listOf(l).lastIndexOf(x)));
  }
  add(env, 'list<int>.sum(): int', (l: unknown) => listOf(l).reduce<bigint>((a, x) => a + (x as bigint), 0n));
  add(env, 'list<double>.sum(): double', (l: unknown) => listOf(l).reduce<number>((a, x) => a + (x as number), 0));
  add(env, 'string.replace(string, string): string', (s: string, a: string, b: string) => s.split(a).join(b));
  add(env, 'string.replace(string, string, int): string', (s: string, a: string, b: string, n: bigint) => {
    let out = s;
    let from = 0;
    for (let i = 0n; n < 0n || i < n; i++) {
      const at = out.indexOf(a, from);
      if (at < 0) break;
      out = out.slice(0, at) + b + out.slice(at + a.length);
      from = at + b.length;
    }
    return out;
  });
  // cel-go's identity conversions, which rules on formatted strings (typed duration, timestamp,
  // bytes) still write: `duration(self) > duration('1s')`.
  add(env, 'duration(google.protobuf.Duration): google.protobuf.Duration', (d: unknown) => d);
  add(env, 'timestamp(google.protobuf.Timestamp): google.protobuf.Timestamp', (t: unknown) => t);
  add(env, 'bytes(bytes): bytes', (b: unknown) => b);
  add(env, 'string.charAt(int): string', (s: string, i: bigint) => [...s][Number(i)] ?? '');
  // strings.quote (ext.Strings): the string as a CEL string literal; only the C escapes, '\\' and
  // '"' are escaped, any other character stays as it is.
  add(env, `${namespacedName('strings.quote')}(string): string`, (s: string) => celQuote(s));
  registerStringsFormat(env);
  add(env, `${namespacedName('sets.contains')}(list, list): bool`, (a: unknown, b: unknown) => containsAll(a, b));
  add(env, `${namespacedName('sets.equivalent')}(list, list): bool`, (a: unknown, b: unknown) => containsAll(a, b) && containsAll(b, a));
  add(env, `${namespacedName('sets.intersects')}(list, list): bool`, (a: unknown, b: unknown) => listOf(a).some((x) => listOf(b).some((y) => celEquals(x, y))));
  // matches() is renamed in rules (see rewrite.ts) so that it runs here, on RE2.
  add(env, `string.${matchesName}(string): bool`, (s: string, pattern: string) => regexMatches(pattern, s));
  add(env, `${matchesName}(string, string): bool`, (s: string, pattern: string) => regexMatches(pattern, s));
  // Kubernetes' regex library: the first match ('' if none), every match, or at most n of them.
  add(env, 'string.find(string): string', (s: string, pattern: string) => regexFind(illegal(pattern), s));
  add(env, 'string.findAll(string): list<string>', (s: string, pattern: string) => regexFindAll(illegal(pattern), s));
  add(env, 'string.findAll(string, int): list<string>', (s: string, pattern: string, n: bigint) => regexFindAll(illegal(pattern), s, clampInt(n)));
}
