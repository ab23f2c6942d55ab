// ValidateNodeSelector / ValidateNodeSelectorRequirement (core validation), used by a
// PersistentVolume's nodeAffinity.required; the scheduler's matching of it is in
// src/scheduler/volume-binding.ts.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { NodeSelectorRequirement, NodeSelectorTerm } from '../scheduling/nodeaffinity.js';
import { isQualifiedName } from './names.js';

function validateRequirement(r: NodeSelectorRequirement, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const values = r.values ?? [];
  switch (r.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) errs.push(fieldErr.required(path.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) errs.push(fieldErr.forbidden(path.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1) errs.push(fieldErr.required(path.child('values'), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(fieldErr.invalid(path.child('operator'), r.operator, 'not a valid selector operator'));
  }
  for (const m of isQualifiedName(r.key ?? '')) errs.push(fieldErr.invalid(path.child('key'), r.key ?? '', m));
  return errs;
}

function validateTerm(term: NodeSelectorTerm, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  (term.matchExpressions ?? []).forEach((r, i) => errs.push(...validateRequirement(r, path.child('matchExpressions').index(i))));
  (term.matchFields ?? []).forEach((r, i) => {
    const p = path.child('matchFields').index(i);
    if ((r.values ?? []).length !== 1) errs.push(fieldErr.required(p.child('values'), 'must be only one value when `operator` is \'In\' or \'NotIn\' for node field selector'));
    else if (r.operator !== 'In' && r.operator !== 'NotIn') errs.push(fieldErr.invalid(p.child('operator'), r.operator, 'not a valid selector operator'));
    if (r.key !== 'metadata.name') errs.push(fieldErr.notSupported(p.child('key'), r.key, ['metadata.name']));
  });
  return errs;
}

export function validateNodeSelector(sel: { nodeSelectorTerms?: NodeSelectorTerm[] }, path: Path): FieldError[] {
  const terms = sel.nodeSelectorTerms ?? [];
  const tp = path.child('nodeSelectorTerms');
  if (terms.length === 0) return [fieldErr.required(tp, 'must have at least one node selector term')];
  return terms.flatMap((t, i) => validateTerm(t ?? {}, tp.index(i)));
}
