// authentication.k8s.io/v1 selfsubjectreviews: "who am I?" (`kubectl auth whoami`), the user the
// request was authenticated (and impersonated) as; upstream's pkg/registry/authentication/selfsubjectreview.
import type { KubeObject } from '../../../api/meta.js';
import { errors } from '../../../machinery/status.js';
import { entry } from '../entry.js';
import { answer, checkTypes, reviewInfo, reviewStrategy } from '../authorization/review.js';
import { userInfoJSON } from './user-info.js';

const kind = 'SelfSubjectReview';

export const selfsubjectreviews = entry<KubeObject>({
  info: reviewInfo('authentication.k8s.io', 'selfsubjectreviews', kind),
  strategy: reviewStrategy,
  review: () => (ctx, obj) => {
    checkTypes(kind, kind, '', obj, { status: 'object' });
    if (!ctx.userInfo) throw errors.badRequest('no user present on request');
    return answer(obj, { userInfo: userInfoJSON(ctx.userInfo) });
  },
});
