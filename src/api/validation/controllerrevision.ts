// ValidateControllerRevision / ValidateControllerRevisionUpdate (apps/v1): a revision's data and
// number are what history means, so data may never change once written.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { ControllerRevision } from '../apps.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateImmutableField, validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';

export function validateControllerRevision(r: ControllerRevision): FieldError[] {
  const errs = validateObjectMeta(r.metadata, true, nameIsDNSSubdomain, Path.root('metadata'));
  if (r.data === undefined || r.data === null) errs.push(fieldErr.required(Path.root('data'), 'data is mandatory'));
  errs.push(...validateNonnegativeField(r.revision, Path.root('revision')));
  return errs;
}

export function validateControllerRevisionUpdate(r: ControllerRevision, old: ControllerRevision): FieldError[] {
  const errs = validateObjectMetaUpdate(r.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateControllerRevision(r));
  errs.push(...validateImmutableField(r.data, old.data, Path.root('data')));
  return errs;
}
