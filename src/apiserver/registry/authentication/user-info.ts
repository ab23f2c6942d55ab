// authenticationv1.UserInfo as it serializes (every field omitempty), for the reviews that answer with one.
import type { UserInfo } from '../../auth/user.js';

export function userInfoJSON(u: UserInfo): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (u.name) out['username'] = u.name;
  if (u.uid) out['uid'] = u.uid;
  if (u.groups.length) out['groups'] = u.groups;
  if (u.extra && Object.keys(u.extra).length) out['extra'] = u.extra;
  return out;
}
