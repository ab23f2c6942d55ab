// The API server's authentication and authorization of a request, in the order kube-apiserver's
// filters run them: who is asking (authentication.ts: 401 for bad credentials, else maybe anonymous), whom they act as (impersonation),
// then whether that user may (403).
import type { IncomingMessage } from 'node:http';
import { Authorizer } from './authorizer.js';
import { forbidden } from './forbidden.js';
import { actingUser } from './impersonation.js';
import { requestAttributes } from './request-info.js';
import type { UserInfo } from './user.js';

export type { UserInfo } from './user.js';
export { Authentication } from './authentication.js';

const defaultAuthorizer = new Authorizer();

/**
 * The user `req` acts as (the authenticated one, or whom it may impersonate). Throws upstream's
 * 403 Forbidden Status when that user may not do what `req` asks.
 */
export function authorize(req: IncomingMessage, user: UserInfo, authorizer: Authorizer = defaultAuthorizer): UserInfo {
  const acting = actingUser(req, user, authorizer);
  const method = req.method ?? 'GET';
  const target = req.url ?? '/';
  for (const t of new Set([target, asRouted(target)])) {
    const attrs = requestAttributes(method, t);
    const d = authorizer.decide(acting, attrs);
    if (!d.allowed) throw forbidden(acting, attrs, d.reason);
  }
  return acting;
}

/**
 * The target as the router reads it today: WHATWG URL parsing turns `\` into `/` and removes dot
 * segments, so `/api/v1\namespaces\default\services` (two segments, discovery, as sent) would be
 * served as the services list. A request must be allowed both as sent (as upstream judges it) and
 * as it is served.
 */
function asRouted(target: string): string {
  try {
    const u = new URL(target, 'https://kubesvc');
    return u.pathname + u.search;
  } catch {
    return target;
  }
}
