// authorization.k8s.io/v1 localsubjectaccessreviews: "may this user, in this namespace?", for
// whoever may create them there (a namespace's admins: system:aggregate-to-admin grants it) —
// upstream's pkg/registry/authorization/localsubjectaccessreview. The review's namespace must be
// the one it is posted to, so a namespace admin cannot ask about another namespace.
import { validateLocalSubjectAccessReview } from '../../../api/validation/authorization.js';
import { errors } from '../../../machinery/status.js';
import { accessReviewEntry } from './review.js';

export const localsubjectaccessreviews = accessReviewEntry(
  'LocalSubjectAccessReview',
  'localsubjectaccessreviews',
  validateLocalSubjectAccessReview,
  (ctx, r) => {
    const namespace = ctx.namespace ?? '';
    if (!namespace) throw errors.badRequest(`namespace is required on this type: ${namespace}`);
    if ((r.spec?.resourceAttributes?.namespace ?? '') !== namespace) {
      throw errors.badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
    }
    return { name: r.spec?.user ?? '', groups: r.spec?.groups ?? [] };
  },
  true,
);
