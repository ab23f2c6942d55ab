// Recognising a Table request: the Accept clauses and the includeObject parameter, as kube-apiserver reads them.
import { errors, type StatusError } from '../../machinery/status.js';
import type { IncludeObject } from './types.js';
import { parseAccept as parseAcceptClauses } from '../http/accept.js';

interface MediaClause {
  type: string;
  params: Map<string, string>;
}

/** The clauses in preference order; a q=0 clause refuses its type, so it never selects a Table. */
function parseAccept(accept: string): MediaClause[] {
  return parseAcceptClauses(accept)
    .filter((c) => c.q > 0)
    .map((c) => ({ type: `${c.type}/${c.subType}`, params: c.params }));
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
