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
