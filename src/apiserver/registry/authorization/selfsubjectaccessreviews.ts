// authorization.k8s.io/v1 selfsubjectaccessreviews: "may I?" (`kubectl auth can-i`), answered
// for the user who asks (upstream's pkg/registry/authorization/selfsubjectaccessreview).
import type { AccessReview } from '../../../api/authorization.js';
import { validateSelfSubjectAccessReview } from '../../../api/validation/authorization.js';
import { errors } from '../../../machinery/status.js';
import { entry } from '../entry.js';
import { answer, attributesOf, checkAttributeTypes, reviewInfo, reviewStrategy } from './review.js';

const kind = 'SelfSubjectAccessReview';

export const selfsubjectaccessreviews = entry<AccessReview>({
  info: reviewInfo('authorization.k8s.io', 'selfsubjectaccessreviews', kind),
  strategy: reviewStrategy,
  review: (deps) => (ctx, obj) => {
    const r = obj as AccessReview;
    checkAttributeTypes(kind, 'SelfSubjectAccessReviewSpec', r);
    const errs = validateSelfSubjectAccessReview(r);
    if (errs.length) throw errors.invalid('authorization.k8s.io', kind, r.metadata.name ?? '', errs);
    if (!ctx.userInfo || !deps.authorizer) throw errors.badRequest('no user present on request');
    return answer(r, { allowed: deps.authorizer.authorize(ctx.userInfo, attributesOf(r.spec ?? {})) });
  },
});
