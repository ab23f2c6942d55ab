// Impersonation (`kubectl --as=jane --as-group=dev`): the Impersonate-* headers ask to act as
// another user, which the requester must be allowed to `impersonate`, as upstream's
// WithImpersonation filter checks. Honouring them matters as much as refusing them: a server
// that ignored them would run `kubectl --as=nobody delete ...` as the admin.
import type { IncomingMessage } from 'node:http';
import { errors } from '../../machinery/status.js';
import type { Authorizer } from './authorizer.js';
import { forbidden } from './forbidden.js';
import type { RequestAttributes } from './request-info.js';
import { allAuthenticated, allUnauthenticated, anonymousUser, type UserInfo } from './user.js';
import { serviceAccountGroups, serviceAccountUsername, splitServiceAccountUsername } from './serviceaccount/claims.js';

const userHeader = 'impersonate-user';
const groupHeader = 'impersonate-group';
const uidHeader = 'impersonate-uid';
const extraPrefix = 'impersonate-extra-';

/** One thing to be allowed to impersonate, as upstream's ObjectReference for it. */
interface Target {
  kind: 'User' | 'ServiceAccount' | 'Group' | 'UserExtra' | 'UID';
  namespace: string;
  name: string;
  /** UserExtra: the extra's key. */
  fieldPath: string;
  apiGroup: string;
}

/** The user `req` acts as: `requester` when it asks for no one else; throws 403 when it may not. */
export function actingUser(req: IncomingMessage, requester: UserInfo, authorizer: Authorizer): UserInfo {
  const targets = impersonationTargets(req);
  if (targets.length === 0) return requester;
  const groupsSpecified = targets.some((t) => t.kind === 'Group');
  let name = '';
  let groups: string[] = [];
  for (const t of targets) {
    const a = attributes(req, t);
    if (!authorizer.authorize(requester, a)) throw forbidden(requester, a);
    if (t.kind === 'User') name = t.name;
    if (t.kind === 'ServiceAccount') {
      name = serviceAccountUsername(t.namespace, t.name);
      if (!groupsSpecified) groups = serviceAccountGroups(t.namespace);
    }
    if (t.kind === 'Group') groups.push(t.name);
  }
  if (name !== anonymousUser) {
    if (!groups.includes(allAuthenticated) && !groups.includes(allUnauthenticated)) groups.push(allAuthenticated);
  } else if (!groups.includes(allUnauthenticated)) {
    groups.push(allUnauthenticated);
  }
  return { name, groups };
}

function impersonationTargets(req: IncomingMessage): Target[] {
  const h = req.headersDistinct;
  const targets: Target[] = [];
  const target = (kind: Target['kind'], name: string, more: Partial<Target> = {}): Target => ({
    kind,
    namespace: '',
    name,
    fieldPath: '',
    apiGroup: '',
    ...more,
  });
  const user = h[userHeader]?.[0] ?? '';
  if (user !== '') {
    // `system:serviceaccount:<namespace>:<name>` names a ServiceAccount, not a user.
    const sa = splitServiceAccountUsername(user);
    targets.push(sa ? target('ServiceAccount', sa.name, { namespace: sa.namespace }) : target('User', user));
  }
  for (const g of h[groupHeader] ?? []) targets.push(target('Group', g));
  for (const [header, values] of Object.entries(h)) {
    if (!header.startsWith(extraPrefix)) continue;
    const key = unescapeExtraKey(header.slice(extraPrefix.length));
    for (const v of values ?? []) targets.push(target('UserExtra', v, { fieldPath: key, apiGroup: 'authentication.k8s.io' }));
  }
  const uid = h[uidHeader]?.[0] ?? '';
  if (uid !== '') targets.push(target('UID', uid, { apiGroup: 'authentication.k8s.io' }));
  if (user === '' && targets.length > 0) {
    throw errors.badRequest(`requested [${targets.map(goObjectReference).join(' ')}] without impersonating a user`);
  }
  return targets;
}

const resourceOf: Record<Target['kind'], string> = {
  User: 'users',
  ServiceAccount: 'serviceaccounts',
  Group: 'groups',
  UserExtra: 'userextras',
  UID: 'uids',
};

function attributes(req: IncomingMessage, t: Target): RequestAttributes {
  return {
    isResourceRequest: true,
    path: req.url ?? '/',
    verb: 'impersonate',
    apiGroup: t.apiGroup,
    apiVersion: '',
    namespace: t.namespace,
    resource: resourceOf[t.kind],
    subresource: t.fieldPath,
    name: t.name,
  };
}

/** Extra keys travel percent-encoded in header names (client-go escapes what a header name cannot hold). */
function unescapeExtraKey(k: string): string {
  try {
    return decodeURIComponent(k).toLowerCase();
  } catch {
    return k.toLowerCase();
  }
}

/** Go's %v of the v1.ObjectReference upstream builds (Kind Namespace Name UID APIVersion ResourceVersion FieldPath). */
function goObjectReference(t: Target): string {
  const apiVersion = t.apiGroup ? `${t.apiGroup}/v1` : '';
  return `{${[t.kind, t.namespace, t.name, '', apiVersion, '', t.fieldPath].join(' ')}}`;
}
