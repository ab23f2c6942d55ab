// authorization.k8s.io/v1 selfsubjectaccessreviews: "may I?" (`kubectl auth can-i`), answered
// for the user who asks (upstream's pkg/registry/authorization/selfsubjectaccessreview).
import { validateSelfSubjectAccessReview } from '../../../api/validation/authorization.js';
import { accessReviewEntry } from './review.js';

export const selfsubjectaccessreviews = accessReviewEntry('SelfSubjectAccessReview', 'selfsubjectaccessreviews', validateSelfSubjectAccessReview, (ctx) => ctx.userInfo);
