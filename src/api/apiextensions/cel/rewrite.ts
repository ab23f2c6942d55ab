// Functions the CEL library cannot declare as cel-go does, reached by renaming them in the rule's
// text before it is parsed:
// - namespaced functions (`sets.contains(a, b)`, `ip.isCanonical(s)`): the library has no
//   namespaces, so each is declared under a mangled name (namespacedName);
// - has() as the CEL spec defines it: `has(e.f)` for any expression e. The library accepts only
//   chains rooted at a variable, yet Gateway API's rules test fields of list elements
//   (`has(self.matches[0].path)`).
// - matches() on RE2 (Go's regexp) instead of a JavaScript RegExp built on every call, which
//   backtracks (a hostile pattern could hang the server) and reads some patterns differently.
import type { Environment } from '@marcbachmann/cel-js';

export const hasMacroName = 'k8sHas';
export const matchesName = 'k8sMatches';

/** The namespaces of functions in Kubernetes' CRD environment (`sets.contains`, `format.named`...). */
const namespaces = new Set(['sets', 'ip', 'format', 'strings']);

/** The name a namespaced function (`sets.contains`) is declared under. */
export function namespacedName(name: string): string {
  return `k8sns_${name.replace('.', '_')}`;
}

/** A compiler message with renamed functions written as the rule wrote them. */
export function unmangle(text: string): string {
  return text
    .replaceAll(hasMacroName, 'has')
    .replaceAll(matchesName, 'matches')
    .replace(/k8sns_([a-z]+)_/g, '$1.');
}

interface AstNode {
  op: string;
  args: unknown;
}

function present(obj: unknown, field: string): boolean {
  if (obj instanceof Map) return obj.has(field);
  if (obj !== null && typeof obj === 'object' && !Array.isArray(obj)) return Object.hasOwn(obj, field) && (obj as Record<string, unknown>)[field] !== undefined;
  throw new Error(`invalid type for field selection.`);
}

export function registerHasMacro(env: Environment): void {
  env.registerFunction(`${hasMacroName}(ast): bool`, (({ args }: { args: AstNode[] }) => ({
    args,
    typeCheck(checker: { check(n: unknown, ctx: unknown): unknown; getType(t: string): unknown; createError(c: string, m: string, n: unknown): Error }, macro: { args: AstNode[] }, ctx: unknown) {
      const node = macro.args[0]!;
      if (node.op !== '.') throw checker.createError('invalid_macro_argument', 'invalid argument to has() macro', node);
      checker.check((node.args as unknown[])[0], ctx);
      return checker.getType('bool');
    },
    evaluate(ev: { run(n: unknown, ctx: unknown): unknown }, macro: { args: AstNode[] }, ctx: unknown) {
      const node = macro.args[0]!;
      const [target, field] = node.args as [unknown, string];
      return present(ev.run(target, ctx), field);
    },
  })) as never);
}

/** The rule with has(), matches() and namespaced calls renamed; string literals and `.has(` stay. */
export function rewriteRule(src: string): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === '"' || c === "'") {
      const triple = src.startsWith(c.repeat(3), i);
      const q = triple ? c.repeat(3) : c;
      const raw = /[rR]$/.test(out) && !/[A-Za-z0-9_][rR]$/.test(out);
      let j = i + q.length;
      while (j < src.length && !src.startsWith(q, j)) j += !raw && src[j] === '\\' ? 2 : 1;
      out += src.slice(i, j + q.length);
      i = j + q.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
      const word = src.slice(i, j);
      const prev = out.trimEnd().slice(-1);
      const next = src.slice(j).trimStart()[0];
      const call = prev === '.' ? null : /^\s*\.\s*([A-Za-z_][A-Za-z0-9_]*)(?=\s*\()/.exec(src.slice(j));
      if (call && namespaces.has(word)) {
        out += namespacedName(`${word}.${call[1]}`);
        i = j + call[0].length;
        continue;
      }
      if (next === '(' && word === 'has' && prev !== '.') out += hasMacroName;
      else if (next === '(' && word === 'matches') out += matchesName;
      else out += word;
      i = j;
      continue;
    }
    out += c;
    i++;
  }
  return out;
}
