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
    invalid('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (parsed === null || typeof parsed !== 'object') invalid('server does not recognize this encoded version');
  const t = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (t.v !== 'meta.k8s.io/v1') invalid('server does not recognize this encoded version');
  if (typeof t.rv !== 'number' || !Number.isSafeInteger(t.rv) || t.rv <= 0) {
    invalid('incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  if (typeof t.start !== 'string' || t.start === '') invalid('encoded start key empty (version meta.k8s.io/v1)');
  // Upstream refuses a start key that path cleaning would change: no `..` climbing out of the
  // requested scope into another namespace's or resource's keys.
  if (/(^|\/)\.\.?(\/|$)|\/\//.test(t.start)) invalid(t.start);
  return { rv: t.rv, start: t.start };
}

/** Upstream's answer for a token it cannot use: 400 "invalid continue token: continue key is not valid: ...". */
function invalid(why: string): never {
  throw errors.badRequest(`invalid continue token: continue key is not valid: ${why}`);
}
