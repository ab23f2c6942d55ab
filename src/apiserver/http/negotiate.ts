// Reads the Accept header: kubectl asks for server-side Tables
// (`application/json;as=Table;v=v1;g=meta.k8s.io, ... application/json`); everyone else for JSON.
import { errors } from '../../machinery/status.js';
import { parseAccept as parseAcceptClauses } from './accept.js';

export type Representation =
  | { as: 'object' }
  | { as: 'Table'; version: 'v1' | 'v1beta1' };

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(header: string): MediaRange[] {
  return parseAcceptClauses(header).map((c) => ({ type: `${c.type}/${c.subType}`, params: Object.fromEntries(c.params) }));
}

/** Picks the first representation in the client's order that the server can produce. */
export function negotiate(accept: string | undefined): Representation {
  if (!accept) return { as: 'object' };
  const ranges = parseAccept(accept);
  for (const m of ranges) {
    const jsonish = m.type === 'application/json' || m.type === 'application/*' || m.type === '*/*';
    if (!jsonish) continue;
    if (m.params.as === 'Table' && m.params.g === 'meta.k8s.io' && (m.params.v === 'v1' || m.params.v === 'v1beta1')) {
      return { as: 'Table', version: m.params.v };
    }
    if (m.params.as === undefined) return { as: 'object' };
  }
  if (ranges.some((m) => m.type === 'application/yaml')) return { as: 'object' };
  throw errors.notAcceptable(
    'only the following media types are accepted: application/json, application/json;as=Table;v=v1;g=meta.k8s.io',
  );
}
