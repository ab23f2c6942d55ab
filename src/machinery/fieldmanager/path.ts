// Field paths as structured-merge-diff names them: a path is a list of elements, each a struct
// field or map key (`f:`), an associative-list item named by its key fields (`k:`), a set-list
// item named by its value (`v:`), or a list item by position (`i:`). The FieldsV1 token of an
// element is also its identity: equal elements have equal tokens.

export type PathElement =
  | { readonly field: string }
  | { readonly key: ReadonlyArray<readonly [string, unknown]> }
  | { readonly value: unknown }
  | { readonly index: number };

export type Path = readonly PathElement[];

/** Go's encoding/json output (HTML-safe escaping included), which upstream's tokens carry. */
export function goJSON(v: unknown): string {
  return JSON.stringify(v, sortedReplacer)
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// Go marshals map keys in sorted order; values inside keys and set items are maps rarely, but
// a stable order keeps equal values equal.
function sortedReplacer(_k: string, v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = (v as Record<string, unknown>)[k];
    return out;
  }
  return v;
}

/** The element's FieldsV1 token: `f:name`, `k:{"port":80,"protocol":"TCP"}`, `v:"a"`, `i:0`. */
export function token(pe: PathElement): string {
  if ('field' in pe) return `f:${pe.field}`;
  if ('key' in pe) {
    const o: Record<string, unknown> = {};
    for (const [k, v] of pe.key) o[k] = v;
    return `k:${goJSON(o)}`;
  }
  if ('value' in pe) return `v:${goJSON(pe.value)}`;
  return `i:${pe.index}`;
}

export class PathSyntaxError extends Error {}

/** Parses a FieldsV1 token back into an element; keys come back sorted by name. */
export function parseToken(t: string): PathElement {
  const kind = t.slice(0, 2);
  const rest = t.slice(2);
  switch (kind) {
    case 'f:':
      return { field: rest };
    case 'k:': {
      let o: unknown;
      try {
        o = JSON.parse(rest);
      } catch {
        throw new PathSyntaxError(`parsing JSON: ${rest}`);
      }
      if (!o || typeof o !== 'object' || Array.isArray(o)) throw new PathSyntaxError(`expected key value pairs but got ${rest}`);
      const entries = Object.keys(o).sort().map((k) => [k, (o as Record<string, unknown>)[k]] as const);
      return { key: entries };
    }
    case 'v:':
      try {
        return { value: JSON.parse(rest) };
      } catch {
        throw new PathSyntaxError(`parsing JSON: ${rest}`);
      }
    case 'i:': {
      if (!/^-?\d+$/.test(rest)) throw new PathSyntaxError(`parsing index ${JSON.stringify(rest)}`);
      return { index: Number(rest) };
    }
    default:
      throw new PathSyntaxError(`unknown path element type ${JSON.stringify(kind)} in ${JSON.stringify(t)}`);
  }
}

/** Total order on values as upstream's value.Compare: numbers < strings < booleans < lists < maps < null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0:
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case 1:
      return compareStrings(a as string, b as string);
    case 2:
      return a === b ? 0 : a === false ? -1 : 1;
    case 3: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i], lb[i]);
        if (c) return c;
      }
      return la.length - lb.length < 0 ? -1 : la.length > lb.length ? 1 : 0;
    }
    case 4: {
      const ka = Object.keys(a as object).sort(compareStrings);
      const kb = Object.keys(b as object).sort(compareStrings);
      for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
        const c = compareStrings(ka[i]!, kb[i]!) || compareValues((a as Record<string, unknown>)[ka[i]!], (b as Record<string, unknown>)[kb[i]!]);
        if (c) return c;
      }
      return ka.length < kb.length ? -1 : ka.length > kb.length ? 1 : 0;
    }
    default:
      return 0;
  }
}

function rank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v && typeof v === 'object') return 4;
  return 5;
}

/** Go compares strings bytewise (UTF-8); UTF-16 order differs only past the BMP, rare in field names. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function elementRank(pe: PathElement): number {
  return 'field' in pe ? 0 : 'key' in pe ? 1 : 'value' in pe ? 2 : 3;
}

/** Upstream's PathElement.Compare: fields, then keys, then values, then indexes. */
export function compareElements(a: PathElement, b: PathElement): number {
  const ra = elementRank(a);
  const rb = elementRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if ('field' in a) return compareStrings(a.field, (b as { field: string }).field);
  if ('key' in a) {
    const ka = a.key;
    const kb = (b as { key: ReadonlyArray<readonly [string, unknown]> }).key;
    for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
      const c = compareStrings(ka[i]![0], kb[i]![0]) || compareValues(ka[i]![1], kb[i]![1]);
      if (c) return c;
    }
    return ka.length < kb.length ? -1 : ka.length > kb.length ? 1 : 0;
  }
  if ('value' in a) return compareValues(a.value, (b as { value: unknown }).value);
  const ia = a.index;
  const ib = (b as { index: number }).index;
  return ia < ib ? -1 : ia > ib ? 1 : 0;
}

/** The element as upstream prints it in conflict messages: `.spec`, `[port=80,protocol="TCP"]`, `[=a]`, `[0]`. */
export function elementString(pe: PathElement): string {
  if ('field' in pe) return `.${pe.field}`;
  if ('key' in pe) return `[${pe.key.map(([k, v]) => `${k}=${goJSON(v)}`).join(',')}]`;
  if ('value' in pe) return `[=${goJSON(pe.value)}]`;
  return `[${pe.index}]`;
}

export function pathString(p: Path): string {
  return p.map(elementString).join('');
}
