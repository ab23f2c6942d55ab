// The Kubernetes CEL extension functions the CEL library lacks (k8s.io/apiserver/pkg/cel/library
// and cel-go's ext.Strings/ext.Lists as Kubernetes enables them): list isSorted/sum/min/max/
// indexOf/lastIndexOf, strings replace/reverse/charAt, url/ip/cidr checks, and regex matching on
// RE2 instead of JavaScript's backtracking engine.
import type { Environment } from '@marcbachmann/cel-js';
import { parseCIDRSloppy, parseIPSloppy } from '../../validation/ip.js';
import { regexMatches } from '../regex.js';
import { matchesName } from './rewrite.js';

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

function validURL(s: string): boolean {
  // url.ParseRequestURI: an absolute URI or an absolute path.
  if (s.startsWith('/')) return true;
  try {
    return new URL(s).protocol.length > 1;
  } catch {
    return false;
  }
}

/** Registers each function once; a signature the library already has is left as it is. */
function add(env: Environment, signature: string, handler: (...args: never[]) => unknown): void {
  try {
    env.registerFunction(signature, handler as (...args: unknown[]) => unknown);
  } catch {
    // The library ships this overload itself.
  }
}

export function registerKubernetesLibrary(env: Environment): void {
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
  add(env, 'string.charAt(int): string', (s: string, i: bigint) => [...s][Number(i)] ?? '');
  add(env, 'string.reverse(): string', (s: string) => [...s].reverse().join(''));
  add(env, 'isURL(string): bool', (s: string) => validURL(s));
  add(env, 'isIP(string): bool', (s: string) => parseIPSloppy(s) !== null);
  add(env, 'isCIDR(string): bool', (s: string) => parseCIDRSloppy(s) !== null);
  // matches() is renamed in rules (see rewrite.ts) so that it runs here, on RE2.
  add(env, `string.${matchesName}(string): bool`, (s: string, pattern: string) => regexMatches(pattern, s));
  add(env, `${matchesName}(string, string): bool`, (s: string, pattern: string) => regexMatches(pattern, s));
}
