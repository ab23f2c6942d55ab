// List continuation tokens in upstream's format: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"key"}.
// The revision pins every page of a list to one snapshot.
import { errors } from '../../machinery/status.js';

export interface ContinueToken {
  rv: number;
  start: string;
}

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

export function decodeContinue(token: string): ContinueToken {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  const t = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string') {
    throw errors.badRequest('continue key is not valid: server does not recognize this encoded version');
  }
  return { rv: t.rv, start: t.start };
}
