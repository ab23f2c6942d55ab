// The JSONPath subset kubectl's printer columns use (k8s.io/client-go/util/jsonpath as the API
// server's table convertor runs it): `.a.b`, `['a.b']`, `[0]`, `[-1]`, `[*]`, `..`-free
// filters `[?(@.type=="Ready")]` with ==/!=/</>, and `.status.addresses[*].value`.
// Parsing fails with a message rather than throwing, and evaluation is bounded by the object.

export type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op: string; value: unknown };

export interface ParsedPath {
  steps: Step[];
}

const fieldRe = /^[A-Za-z0-9_$-]+/;

function parseLiteral(s: string): unknown {
  const t = s.trim();
  if (/^(["']).*\1$/.test(t)) return t.slice(1, -1);
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  throw new Error(`unrecognized literal ${t}`);
}

function parseFilter(body: string): Step {
  const m = /^@((?:\.[A-Za-z0-9_$-]+)+)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(body.trim());
  if (m) return { kind: 'filter', path: m[1]!.slice(1).split('.'), op: m[2]!, value: parseLiteral(m[3]!) };
  const exists = /^@((?:\.[A-Za-z0-9_$-]+)+)$/.exec(body.trim());
  if (exists) return { kind: 'filter', path: exists[1]!.slice(1).split('.'), op: 'exists', value: undefined };
  throw new Error(`unrecognized filter ${body}`);
}

/** Parses a column's jsonPath; `{...}` around it is accepted as kubectl's templates write it. */
export function parseJSONPath(input: string): ParsedPath | Error {
  let s = input.trim();
  if (s.startsWith('{') && s.endsWith('}')) s = s.slice(1, -1).trim();
  const steps: Step[] = [];
  let i = 0;
  try {
    while (i < s.length) {
      if (s[i] === '.') {
        i++;
        if (s[i] === '.') throw new Error('recursive descent is not supported');
        const m = fieldRe.exec(s.slice(i));
        if (!m) {
          if (i >= s.length) break;
          throw new Error(`unexpected ${JSON.stringify(s[i])} at ${i}`);
        }
        steps.push({ kind: 'field', name: m[0] });
        i += m[0].length;
      } else if (s[i] === '[') {
        const end = s.indexOf(']', i);
        if (end < 0) throw new Error('unterminated array notation');
        let body = s.slice(i + 1, end);
        if (body.startsWith('?(')) {
          const close = s.indexOf(')]', i);
          if (close < 0) throw new Error('unterminated filter');
          body = s.slice(i + 3, close);
          steps.push(parseFilter(body));
          i = close + 2;
          continue;
        }
        if (body === '*') steps.push({ kind: 'all' });
        else if (/^-?\d+$/.test(body)) steps.push({ kind: 'index', index: Number(body) });
        else if (/^'.*'$/.test(body) || /^".*"$/.test(body)) steps.push({ kind: 'field', name: body.slice(1, -1) });
        else throw new Error(`invalid array index ${body}`);
        i = end + 1;
      } else throw new Error(`unrecognized character in action: ${JSON.stringify(s[i])}`);
    }
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
  return { steps };
}

function get(v: unknown, name: string): unknown[] {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.hasOwn(v, name) ? [(v as Record<string, unknown>)[name]] : [];
}

function compare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case 'exists':
      return a !== undefined;
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    default:
      if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return false;
      {
        const x = a as number;
        const y = b as number;
        return op === '<' ? x < y : op === '>' ? x > y : op === '<=' ? x <= y : x >= y;
      }
  }
}

/** All values the path selects in `obj`. */
export function evaluateJSONPath(p: ParsedPath, obj: unknown): unknown[] {
  let cur: unknown[] = [obj];
  for (const step of p.steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (step.kind === 'field') next.push(...get(v, step.name));
      else if (step.kind === 'index') {
        if (Array.isArray(v)) {
          const i = step.index < 0 ? v.length + step.index : step.index;
          if (i >= 0 && i < v.length) next.push(v[i]);
        }
      } else if (step.kind === 'all') {
        if (Array.isArray(v)) next.push(...v);
        else if (v !== null && typeof v === 'object') next.push(...Object.values(v));
      } else if (Array.isArray(v)) {
        for (const el of v) {
          let x: unknown[] = [el];
          for (const f of step.path) x = x.flatMap((y) => get(y, f));
          if (x.length && compare(x[0], step.op, step.value)) next.push(el);
        }
      }
    }
    cur = next;
  }
  return cur;
}
