// authentication.k8s.io/v1 tokenreviews (upstream's pkg/registry/authentication/tokenreview):
// "whose token is this?", answered by the server's own authenticator as if the token had come as
// a bearer token; for webhooks and proxies that authenticate callers against the cluster
// (system:auth-delegator may create them). Create only, nothing stored.
import type { KubeObject } from '../../../api/meta.js';
import { errors } from '../../../machinery/status.js';
import { entry } from '../entry.js';
import { answer, reviewInfo, reviewStrategy } from '../authorization/review.js';
import { userInfoJSON } from './user-info.js';

interface TokenReview extends KubeObject {
  spec?: { token?: string; audiences?: string[] | null };
}

export const tokenreviews = entry<TokenReview>({
  info: reviewInfo('authentication.k8s.io', 'tokenreviews', 'TokenReview'),
  strategy: reviewStrategy,
  review: (deps) => (_ctx, obj) => {
    const r = obj as TokenReview;
    const token = r.spec?.token ?? '';
    if (token === '') throw errors.badRequest('token is required for TokenReview in authentication');
    if (!deps.authentication) return answer(r, {});
    const result = deps.authentication.reviewToken(token, r.spec?.audiences ?? undefined);
    const status: Record<string, unknown> = {};
    if (result.authenticated) status['authenticated'] = true;
    status['user'] = result.user ? userInfoJSON(result.user) : {};
    if (result.audiences?.length) status['audiences'] = result.audiences;
    if (result.error) status['error'] = result.error;
    return answer(r, status);
  },
});
