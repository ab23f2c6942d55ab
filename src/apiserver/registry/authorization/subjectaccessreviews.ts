// authorization.k8s.io/v1 subjectaccessreviews: "may this user?", for whoever may ask it
// (upstream's pkg/registry/authorization/subjectaccessreview). The user and groups are the
// spec's as given: nothing (not even system:authenticated) is added.
import { validateSubjectAccessReview } from '../../../api/validation/authorization.js';
import { accessReviewEntry } from './review.js';

export const subjectaccessreviews = accessReviewEntry('SubjectAccessReview', 'subjectaccessreviews', validateSubjectAccessReview, (_ctx, r) => ({
  name: r.spec?.user ?? '',
  groups: r.spec?.groups ?? [],
}));
