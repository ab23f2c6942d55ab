// Remembered RBAC answers: one per user (name and groups) and request, valid for one generation of
// the policy. A new generation (any role or binding written) drops them all; the map is bounded so
// a caller varying names cannot grow it without end.
import type { RequestAttributes } from './request-info.js';
import type { UserInfo } from './user.js';

interface Decision {
  allowed: boolean;
  reason: string;
}

const maxEntries = 10_000;

export class DecisionCache {
  private generation = -1;
  private readonly decisions = new Map<string, Decision>();

  get(generation: number, user: UserInfo, a: RequestAttributes, evaluate: () => Decision): Decision {
    if (generation !== this.generation) {
      this.decisions.clear();
      this.generation = generation;
    }
    const key = cacheKey(user, a);
    let d = this.decisions.get(key);
    if (d === undefined) {
      d = evaluate();
      if (this.decisions.size >= maxEntries) this.decisions.clear();
      this.decisions.set(key, d);
    }
    return d;
  }
}

/** JSON, so no two different requests (whatever characters their names hold) share a key. */
function cacheKey(user: UserInfo, a: RequestAttributes): string {
  const request = a.isResourceRequest ? [a.verb, a.apiGroup, a.resource, a.subresource, a.namespace, a.name] : [a.verb, a.path];
  return JSON.stringify([user.name, user.groups, a.isResourceRequest, ...request]);
}
