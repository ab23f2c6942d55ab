// Pod failure policy (KEP-3329): the first rule matching a failed pod decides what its failure
// means for the Job: FailJob, FailIndex, Ignore (not counted against backoffLimit) or Count.
import type { Job, PodFailurePolicyAction, PodFailurePolicyOnExitCodesRequirement } from '../../api/batch.js';
import type { Pod } from '../../api/core.js';

export interface PolicyMatch {
  action: PodFailurePolicyAction;
  /** Why, as upstream words it for the Job's FailureTarget condition. */
  message: string;
}

interface TerminatedStatus {
  name: string;
  state?: { terminated?: { exitCode?: number } };
}

function matchingContainer(statuses: TerminatedStatus[], req: PodFailurePolicyOnExitCodesRequirement): { name: string; exitCode: number } | undefined {
  for (const cs of statuses) {
    const code = cs.state?.terminated?.exitCode;
    if (code === undefined || code === 0) continue;
    if (req.containerName != null && req.containerName !== cs.name) continue;
    const listed = (req.values ?? []).includes(code);
    if (req.operator === 'In' ? listed : !listed) return { name: cs.name, exitCode: code };
  }
  return undefined;
}

/** The matching rule's action for a Failed pod, undefined when no rule matches (the failure then counts). */
export function matchPodFailurePolicy(job: Job, pod: Pod): PolicyMatch | undefined {
  const rules = job.spec.podFailurePolicy?.rules ?? [];
  const ns = pod.metadata.namespace ?? '';
  const name = pod.metadata.name ?? '';
  const statuses = [
    ...((pod.status?.initContainerStatuses ?? []) as TerminatedStatus[]),
    ...((pod.status?.containerStatuses ?? []) as TerminatedStatus[]),
  ];
  for (const [i, rule] of rules.entries()) {
    if (rule.onExitCodes) {
      const c = matchingContainer(statuses, rule.onExitCodes);
      if (c) return { action: rule.action, message: `Container ${c.name} for pod ${ns}/${name} failed with exit code ${c.exitCode} matching ${rule.action} rule at index ${i}` };
    }
    for (const pattern of rule.onPodConditions ?? []) {
      const want = pattern.status ?? 'True';
      if ((pod.status?.conditions ?? []).some((c) => c.type === pattern.type && c.status === want)) {
        return { action: rule.action, message: `Pod ${ns}/${name} has condition ${pattern.type} matching ${rule.action} rule at index ${i}` };
      }
    }
  }
  return undefined;
}
