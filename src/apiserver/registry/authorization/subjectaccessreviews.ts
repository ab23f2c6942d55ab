// authorization.k8s.io/v1 subjectaccessreviews: "may this user?", for whoever may ask it
// (upstream's pkg/registry/authorization/subjectaccessreview).
import type { AccessReview } from '../../../api/authorization.js';
import { validateSubjectAccessReview } from '../../../api/validation/authorization.js';
import { errors } from '../../../machinery/status.js';
import { entry } from '../entry.js';
import { answer, attributesOf, checkAttributeTypes, reviewInfo, reviewStrategy } from './review.js';

const kind = 'SubjectAccessReview';

export const subjectaccessreviews = entry<AccessReview>({
  info: reviewInfo('authorization.k8s.io', 'subjectaccessreviews', kind),
  strategy: reviewStrategy,
  review: (deps) => (_ctx, obj) => {
    const r = obj as AccessReview;
    checkAttributeTypes(kind, 'SubjectAccessReviewSpec', r);
    const errs = validateSubjectAccessReview(r);
    if (errs.length) throw errors.invalid('authorization.k8s.io', kind, r.metadata.name ?? '', errs);
    if (!deps.authorizer) throw errors.badRequest('authorization is not configured');
    const user = { name: r.spec?.user ?? '', groups: r.spec?.groups ?? [] };
    return answer(r, { allowed: deps.authorizer.authorize(user, attributesOf(r.spec ?? {})) });
  },
});
