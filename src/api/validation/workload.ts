// Pieces shared by Deployment and ReplicaSet validation (pkg/apis/apps/validation).
import { fieldErr, type FieldError, type Path } from '../../machinery/field.js';
import type { IntOrString, PodTemplateSpec } from '../core.js';
import type { LabelSelector } from '../meta.js';
import { isEmptySelector, selectorMatches, validateLabelSelector } from './labels.js';
import { isValidPercent } from './names.js';
import { validateNonnegativeField } from './objectmeta.js';
import { validatePodTemplateSpec } from './podspec.js';

/** Selector required, valid and non-empty (upstream's wording says "deployment" for ReplicaSets too). */
export function validateWorkloadSelector(selector: LabelSelector | undefined, path: Path, kind = 'deployment'): FieldError[] {
  if (!selector) return [fieldErr.required(path, '')];
  const errs = validateLabelSelector(selector, path);
  if (isEmptySelector(selector)) errs.push(fieldErr.invalid(path, selector, `empty selector is invalid for ${kind}`));
  return errs;
}

/** ValidatePodTemplateSpecForReplicaSet: labels must satisfy the selector; pods must restart Always. */
export function validatePodTemplateSpecForReplicaSet(
  template: PodTemplateSpec | undefined,
  selector: LabelSelector | undefined,
  path: Path,
): FieldError[] {
  if (!template) return [fieldErr.required(path, '')];
  const errs: FieldError[] = [];
  if (selector && !isEmptySelector(selector) && !selectorMatches(selector, template.metadata?.labels)) {
    errs.push(fieldErr.invalid(path.child('metadata', 'labels'), template.metadata?.labels ?? {}, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(template, path));
  const rp = template.spec?.restartPolicy ?? '';
  if (rp !== 'Always') errs.push(fieldErr.notSupported(path.child('spec', 'restartPolicy'), rp, ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec?.activeDeadlineSeconds !== null) {
    errs.push(fieldErr.forbidden(path.child('spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return errs;
}

/** ValidatePositiveIntOrPercent: a non-negative int or an `N%` string. */
export function validatePositiveIntOrPercent(v: IntOrString | undefined, path: Path): FieldError[] {
  if (typeof v === 'string') return isValidPercent(v).map((m) => fieldErr.invalid(path, v, m));
  if (typeof v === 'number' || v === undefined) return validateNonnegativeField(v ?? 0, path);
  return [fieldErr.invalid(path, v, "must be an integer or percentage (e.g '5%')")];
}

/** IsNotMoreThan100Percent: a percentage above 100% is refused. */
export function isNotMoreThan100Percent(v: IntOrString | undefined, path: Path): FieldError[] {
  return typeof v === 'string' && isValidPercent(v).length === 0 && intOrPercentValue(v) > 100
    ? [fieldErr.invalid(path, v, 'must not be greater than 100%')]
    : [];
}

export function intOrPercentValue(v: IntOrString | undefined): number {
  if (typeof v === 'string') return v.endsWith('%') ? Number(v.slice(0, -1)) : NaN;
  return v ?? 0;
}
