// metav1.LabelSelectorAsSelector: a Service/Deployment style {matchLabels, matchExpressions}
// selector as a label selector, with upstream's errors.
import type { LabelSelector as MetaLabelSelector } from '../../api/meta.js';
import { errors } from '../status.js';
import { newRequirement, type Operator, type Requirement } from './requirement.js';
import { LabelSelector } from './selector.js';

const operators: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * nil → Nothing(); no labels and no expressions → Everything(). Throws StatusError 400 with
 * upstream's text, e.g. `"Foo" is not a valid label selector operator` or
 * `values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty`.
 */
export function labelSelectorAsSelector(ps: MetaLabelSelector | null | undefined): LabelSelector {
  if (ps === null || ps === undefined) return LabelSelector.nothing();
  const matchLabels = ps.matchLabels ?? {};
  const exprs = ps.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + exprs.length === 0) return LabelSelector.everything();
  const reqs: Requirement[] = [];
  try {
    for (const [k, v] of Object.entries(matchLabels)) reqs.push(newRequirement(k, '=', [v]));
    for (const e of exprs) {
      const op = operators[e.operator as string];
      if (!op) throw new Error(`${JSON.stringify(e.operator ?? '')} is not a valid label selector operator`);
      // Upstream copies the values with append([]string(nil), ...), so none at all stays nil.
      const vals = e.values && e.values.length > 0 ? [...e.values] : null;
      reqs.push(newRequirement(e.key, op, vals));
    }
  } catch (e) {
    throw errors.badRequest((e as Error).message);
  }
  return LabelSelector.fromRequirements(reqs);
}
