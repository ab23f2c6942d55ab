// Field selectors as apimachinery's fields package parses them: comma-separated `field=value`,
// `field==value` or `field!=value` terms, with `\`, `,` and `=` backslash-escaped in values.
import { errors } from '../status.js';

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  readonly field: string;
  readonly operator: FieldOperator;
  /** Unescaped. */
  readonly value: string;
}

/** Reads one field of an object, e.g. `metadata.name`; undefined when the object has no such field. */
export type FieldGetter = (field: string) => string | undefined;

/** fields.EscapeValue. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/**
 * fields.UnescapeValue. Throws Error with upstream's text; note that Go prints the offending
 * character of an unescaped `,`/`=` as its code point number (e.g. 61 for `=`).
 */
export function unescapeFieldValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') {
        throw new Error(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      out += c;
      inSlash = false;
      continue;
    }
    if (c === '\\') inSlash = true;
    else if (c === ',' || c === '=') {
      throw new Error(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
    } else out += c;
  }
  if (inSlash) throw new Error('invalid field selector: invalid escape sequence: \\');
  return out;
}

// Splits on commas that are not escaped; escapes stay in the terms.
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (inSlash) inSlash = false;
    else if (c === '\\') inSlash = true;
    else if (c === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

// The first operator occurrence splits a term; "!=" and "==" are tried before "=" at each position.
function splitTerm(term: string): [string, FieldOperator, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

export class FieldSelector {
  constructor(readonly requirements: readonly FieldRequirement[]) {}

  static everything(): FieldSelector {
    return new FieldSelector([]);
  }

  empty(): boolean {
    return this.requirements.length === 0;
  }

  /** A missing field reads as "" (as fields.Set.Get does), so `spec.x!=a` matches it. */
  matches(get: FieldGetter): boolean {
    return this.requirements.every((r) => {
      const v = get(r.field) ?? '';
      return r.operator === '!=' ? v !== r.value : v === r.value;
    });
  }

  requiresExactMatch(field: string): string | undefined {
    for (const r of this.requirements) if (r.field === field && r.operator !== '!=') return r.value;
    return undefined;
  }

  /** hasTerm prints `=` for both `=` and `==`; values are escaped again. */
  toString(): string {
    return this.requirements
      .map((r) => `${r.field}${r.operator === '!=' ? '!=' : '='}${escapeFieldValue(r.value)}`)
      .join(',');
  }

  /**
   * ParseAndTransformSelector's Transform: each field/value goes through `fn` (the apiserver passes
   * the kind's field label conversion); a term both of whose sides become "" is dropped.
   */
  transform(fn: (field: string, value: string) => [string, string]): FieldSelector {
    const out: FieldRequirement[] = [];
    for (const r of this.requirements) {
      const [field, value] = fn(r.field, r.value);
      if (field === '' && value === '') continue;
      out.push({ field, operator: r.operator, value });
    }
    return new FieldSelector(out);
  }
}

/**
 * fields.ParseSelector. Terms are sorted as strings before parsing, as upstream does. Throws
 * StatusError 400 BadRequest, e.g. `invalid selector: 'a'; can't understand 'a'`.
 */
export function parseFieldSelector(selector: string): FieldSelector {
  const parts = splitTerms(selector).sort();
  const reqs: FieldRequirement[] = [];
  for (const part of parts) {
    if (part === '') continue;
    const split = splitTerm(part);
    if (!split) throw errors.badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const [field, operator, rhs] = split;
    let value: string;
    try {
      value = unescapeFieldValue(rhs);
    } catch (e) {
      throw errors.badRequest((e as Error).message);
    }
    reqs.push({ field, operator, value });
  }
  return new FieldSelector(reqs);
}

/** fields.SelectorFromSet: `k=v` for each entry (in the set's order). */
export function fieldSelectorFromSet(set: Readonly<Record<string, string>>): FieldSelector {
  return new FieldSelector(Object.entries(set).map(([field, value]) => ({ field, operator: '=', value })));
}

/**
 * The error a kind's field label conversion returns for a field it does not index, which the
 * apiserver sends as 400 BadRequest: `field label not supported: spec.foo`.
 */
export function fieldLabelNotSupported(label: string) {
  return errors.badRequest(`field label not supported: ${label}`);
}
