// authorization.k8s.io validation (upstream's pkg/apis/authorization/validation): exactly one of
// resourceAttributes and nonResourceAttributes; a SubjectAccessReview names a user or a group.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { AccessReview } from '../authorization.js';

function validateAttributes(r: AccessReview, spec: Path): FieldError[] {
  const s = r.spec ?? {};
  if (s.resourceAttributes && s.nonResourceAttributes) {
    return [fieldErr.invalid(spec.child('nonResourceAttributes'), s.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes')];
  }
  if (!s.resourceAttributes && !s.nonResourceAttributes) {
    return [fieldErr.invalid(spec.child('resourceAttributes'), null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  }
  return [];
}

export function validateSelfSubjectAccessReview(r: AccessReview): FieldError[] {
  return validateAttributes(r, Path.root('spec'));
}

export function validateSubjectAccessReview(r: AccessReview): FieldError[] {
  const errs = validateAttributes(r, Path.root('spec'));
  if (!r.spec?.user && !(r.spec?.groups ?? []).length) errs.push(fieldErr.invalid(Path.root('spec', 'user'), r.spec?.user ?? '', 'at least one of user or group must be specified'));
  return errs;
}

/** A LocalSubjectAccessReview asks about one namespace's resources, never a path. */
export function validateLocalSubjectAccessReview(r: AccessReview): FieldError[] {
  const errs = validateSubjectAccessReview(r);
  const nonResource = r.spec?.nonResourceAttributes;
  if (nonResource) errs.push(fieldErr.invalid(Path.root('spec', 'nonResourceAttributes'), nonResource, 'disallowed on this kind of request'));
  return errs;
}
