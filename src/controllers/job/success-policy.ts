// The Job successPolicy (1.32 beta, on by default) of Indexed Jobs: the first rule satisfied by
// the succeeded indexes declares the Job a success — all of its succeededIndexes, or
// succeededCount of them, or succeededCount indexes of any when it names none. The controller
// then sets SuccessCriteriaMet (reason SuccessPolicy), removes the pods still running, and
// Complete follows with the same reason and message.
import type { Job } from '../../api/batch.js';
import { parseIndexes } from './indexes.js';

export const successPolicyReason = 'SuccessPolicy';

/** upstream's matchSuccessPolicy: `Matched rules at index <i>`, or undefined when no rule holds. */
export function matchSuccessPolicy(job: Job, succeeded: Set<number>): string | undefined {
  const rules = job.spec.successPolicy?.rules;
  if (!rules || succeeded.size === 0 || job.spec.completionMode !== 'Indexed') return undefined;
  const completions = job.spec.completions ?? 0;
  for (const [i, rule] of rules.entries()) {
    if (rule.succeededIndexes != null) {
      const required = parseIndexes(rule.succeededIndexes, completions);
      // A rule whose indexes cannot be read (or lie beyond completions) is skipped.
      if (required.size === 0) continue;
      const done = [...required].filter((x) => succeeded.has(x)).length;
      if (rule.succeededCount != null ? done >= rule.succeededCount : done === required.size) return `Matched rules at index ${i}`;
    } else if (rule.succeededCount != null && succeeded.size >= rule.succeededCount) {
      return `Matched rules at index ${i}`;
    }
  }
  return undefined;
}
