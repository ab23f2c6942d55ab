// Labels, annotations and label selectors, as apimachinery's meta/v1 validation and
// api/validation check them.
import { fieldErr, type FieldError, type Path } from '../../machinery/field.js';
import type { LabelSelector, LabelSelectorRequirement } from '../meta.js';
import { isQualifiedName, isValidLabelValue } from './names.js';

/** Annotations may total 256 KiB, keys and values together. */
export const TotalAnnotationSizeLimitB = 256 * (1 << 10);

export function validateLabelName(name: string, path: Path | string): FieldError[] {
  return isQualifiedName(name).map((m) => fieldErr.invalid(path, name, m));
}

/** Every error lands on the map's own path (not `labels[key]`), as upstream reports it. */
export function validateLabels(labels: Record<string, string> | undefined, path: Path | string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    errs.push(...validateLabelName(k, path));
    for (const m of isValidLabelValue(String(v))) errs.push(fieldErr.invalid(path, v, m));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: Path | string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    // Annotation keys are qualified names compared case-insensitively.
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(fieldErr.invalid(path, k, m));
    total += Buffer.byteLength(k) + Buffer.byteLength(String(v));
  }
  if (total > TotalAnnotationSizeLimitB) errs.push(fieldErr.tooLong(path, '', TotalAnnotationSizeLimitB));
  return errs;
}

export function validateLabelSelectorRequirement(req: LabelSelectorRequirement, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) {
        errs.push(fieldErr.required(path.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      }
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) {
        errs.push(fieldErr.forbidden(path.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
      break;
    default:
      errs.push(fieldErr.invalid(path.child('operator'), req.operator, 'not a valid selector operator'));
  }
  errs.push(...validateLabelName(req.key ?? '', path.child('key')));
  values.forEach((v, i) => {
    for (const m of isValidLabelValue(v)) errs.push(fieldErr.invalid(path.child('values').index(i), v, m));
  });
  return errs;
}

export function validateLabelSelector(selector: LabelSelector | undefined | null, path: Path): FieldError[] {
  if (!selector) return [];
  const errs = validateLabels(selector.matchLabels, path.child('matchLabels'));
  (selector.matchExpressions ?? []).forEach((req, i) => {
    errs.push(...validateLabelSelectorRequirement(req, path.child('matchExpressions').index(i)));
  });
  return errs;
}

/** Whether a LabelSelector selects nothing-in-particular (no requirements), which matches everything. */
export function isEmptySelector(selector: LabelSelector | undefined | null): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

/** Evaluates a LabelSelector against a label set (for the template-labels match rule). */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, req.key);
    const vals = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !vals.includes(l[req.key]!)) return false;
        break;
      case 'NotIn':
        if (has && vals.includes(l[req.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
