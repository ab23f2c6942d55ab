// Recognising a Table request: the Accept clauses and the includeObject parameter, as kube-apiserver reads them.
import { errors, type StatusError } from '../../machinery/status.js';
import type { IncludeObject } from './types.js';

interface MediaClause {
  type: string;
  params: Map<string, string>;
  q: number;
}

function parseAccept(accept: string): MediaClause[] {
  const out: MediaClause[] = [];
  for (const raw of accept.split(',')) {
    const [type, ...rest] = raw.split(';').map((s) => s.trim());
    if (!type) continue;
    const params = new Map<string, string>();
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
    }
    const q = params.has('q') ? Number(params.get('q')) : 1;
    out.push({ type: type.toLowerCase(), params, q: Number.isNaN(q) ? 0 : q });
  }
  // A stable sort keeps the client's order among equal preferences, which is what decides for kubectl.
  return out.filter((c) => c.q > 0).sort((a, b) => b.q - a.q);
}

/**
 * Which Table version the client wants, if any: 'v1' or 'v1beta1' for the first acceptable clause
 * `application/json;as=Table;v=...;g=meta.k8s.io`, undefined when the first JSON-ish clause is a plain
 * media type (then the server answers with the resource itself).
 */
export function tableVersionFromAccept(accept: string | undefined | null): 'v1' | 'v1beta1' | undefined {
  if (!accept) return undefined;
  for (const c of parseAccept(accept)) {
    const as = c.params.get('as');
    if (as === undefined) {
      if (c.type === 'application/json' || c.type === '*/*' || c.type === 'application/*') return undefined;
      continue;
    }
    if (c.type !== 'application/json' || as !== 'Table' || c.params.get('g') !== 'meta.k8s.io') continue;
    const v = c.params.get('v');
    if (v === 'v1' || v === 'v1beta1') return v;
  }
  return undefined;
}

/**
 * The includeObject query parameter; 'Metadata' when absent or empty. Any other value is the 400 upstream
 * returns: `Unable to convert to Table as requested: includeObject: Invalid value: "x": must be ...`.
 */
export function includeObjectParam(value: string | null | undefined): IncludeObject {
  if (value === null || value === undefined || value === '' || value === 'Metadata') return 'Metadata';
  if (value === 'Object' || value === 'None') return value;
  const err: StatusError = errors.badRequest(
    `Unable to convert to Table as requested: includeObject: Invalid value: ${JSON.stringify(value)}: must be 'Metadata', 'Object', 'None', or empty`,
  );
  throw err;
}
