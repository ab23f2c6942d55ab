// The 403 an authorizer's "no" becomes, in upstream's words (responsewriters.Forbidden), e.g.
// `services is forbidden: User "nobody" cannot list resource "services" in API group "" in the namespace "default"`.
import { errors, type StatusError } from '../../machinery/status.js';
import type { RequestAttributes } from './request-info.js';
import type { UserInfo } from './user.js';

/** Go's %q: JSON's escaping is the same for the printable text these carry. */
const q = (s: string) => JSON.stringify(s);

export function forbiddenMessage(user: UserInfo, a: RequestAttributes): string {
  if (!a.isResourceRequest) return `User ${q(user.name)} cannot ${a.verb} path ${q(a.path)}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace ${q(a.namespace)}` : 'at the cluster scope';
  return `User ${q(user.name)} cannot ${a.verb} resource ${q(resource)} in API group ${q(a.apiGroup)} ${scope}`;
}

/** The Status names the resource (not the subresource) and the object, as upstream's does; an authorizer's reason follows the message. */
export function forbidden(user: UserInfo, a: RequestAttributes, reason = ''): StatusError {
  const why = forbiddenMessage(user, a) + (reason ? `: ${reason}` : '');
  return errors.forbidden({ group: a.apiGroup, resource: a.resource }, a.name, why);
}
