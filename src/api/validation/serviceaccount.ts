// ValidateServiceAccount / ValidateServiceAccountUpdate: metadata is all upstream checks.
import { Path, type FieldError } from '../../machinery/field.js';
import type { ServiceAccount } from '../core.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';

export function validateServiceAccount(sa: ServiceAccount): FieldError[] {
  return validateObjectMeta(sa.metadata, true, nameIsDNSSubdomain, Path.root('metadata'));
}

export function validateServiceAccountUpdate(sa: ServiceAccount, old: ServiceAccount): FieldError[] {
  return [...validateObjectMetaUpdate(sa.metadata, old.metadata, Path.root('metadata')), ...validateServiceAccount(sa)];
}
