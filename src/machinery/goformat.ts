// Go's fmt verbs as upstream error messages print decoded JSON values, so that messages built
// from patch documents read exactly as the Go apiserver's do (e.g. `map[name:a port:80]`).

/** fmt.Sprintf("%v", v) for a value decoded from JSON (maps print with sorted keys). */
export function goV(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goV).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).sort();
    return `map[${keys.map((k) => `${k}:${goV(o[k])}`).join(' ')}]`;
  }
  if (typeof v === 'number') return goNumber(v);
  return String(v);
}

/** Go prints float64 with %v as the shortest form, switching to exponent form at 1e21. */
function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const s = String(n);
  // JS writes 1e+21 where Go writes 1e+21 too; only lower-case exponent digits differ in padding.
  return s.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** reflect.TypeOf(v).String() for a value the apiserver decoded with UnmarshalCaseSensitivePreserveInts. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  switch (typeof v) {
    case 'object':
      return 'map[string]interface {}';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    case 'number':
      return Number.isInteger(v) ? 'int64' : 'float64';
    default:
      return typeof v;
  }
}

/** fmt.Sprintf("%#v", []string{...}) as field errors print a requirement's values. */
export function goStringSlice(vals: readonly string[] | null): string {
  if (vals === null) return '[]string(nil)';
  return `[]string{${vals.map((s) => JSON.stringify(s)).join(', ')}}`;
}

/** The JSON kind Go's encoding/json names in "cannot unmarshal <kind> into Go value of type ...". */
export function goJsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** The string with each lone surrogate (invalid UTF-8 once Go encodes it) as U+FFFD, as Go reads it. */
export const wellFormed = (s: string) => s.replace(/\p{Cs}/gu, '\uFFFD');

const goEscapes: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"' };

/**
 * strconv.Quote (fmt's %q of a string): printable runes as they are (unicode.IsPrint: letters,
 * marks, numbers, punctuation, symbols and the ASCII space), the C escapes, and \x, \u or \U
 * for the rest; a lone surrogate (invalid UTF-8 in Go) reads as U+FFFD.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of wellFormed(s)) {
    const esc = goEscapes[ch];
    if (esc) out += esc;
    else if (ch === ' ' || !/[\p{C}\p{Z}]/u.test(ch)) out += ch;
    else {
      const cp = ch.codePointAt(0)!;
      out += cp < 0x80 ? `\\x${cp.toString(16).padStart(2, '0')}` : cp < 0x10000 ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`;
    }
  }
  return `${out}"`;
}

/** fmt's %g of a float64: the shortest digits, in exponent form below 1e-4 and from 1e+06 on. */
export function goFloatG(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [mantissa, e] = x.toExponential().split('e') as [string, string];
  const exp = Number(e);
  if (exp < -4 || exp >= 6) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  // Plain form: JavaScript's shortest round-trip digits are Go's too.
  return String(x);
}
