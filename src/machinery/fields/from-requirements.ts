// Field selector requirements in metav1.FieldSelectorRequirement form ({key, operator, values}),
// as the apiserver converts them (SubjectAccessReview fieldSelector.requirements): only In and
// NotIn with exactly one value are expressible as field selector terms.
import { errors } from '../status.js';
import { FieldSelector, type FieldRequirement } from './selector.js';

export interface FieldSelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}

/** Throws StatusError 400 with upstream's text, e.g. `fieldSelectors do not yet support Exists`. */
export function fieldSelectorFromRequirements(reqs: readonly FieldSelectorRequirement[]): FieldSelector {
  const out: FieldRequirement[] = [];
  for (const r of reqs) {
    const vals = r.values ?? [];
    if (vals.length > 1) throw errors.badRequest('fieldSelectors do not yet support multiple values');
    switch (r.operator) {
      case 'In':
        if (vals.length !== 1) throw errors.badRequest('fieldSelectors in must have one value');
        out.push({ field: r.key, operator: '=', value: vals[0]! });
        break;
      case 'NotIn':
        if (vals.length !== 1) throw errors.badRequest('fieldSelectors not in must have one value');
        out.push({ field: r.key, operator: '!=', value: vals[0]! });
        break;
      case 'Exists':
      case 'DoesNotExist':
        throw errors.badRequest(`fieldSelectors do not yet support ${r.operator}`);
      default:
        throw errors.badRequest(`${JSON.stringify(r.operator)} is not a valid field selector operator`);
    }
  }
  return new FieldSelector(out);
}
