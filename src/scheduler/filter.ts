// The scheduling decision as pure functions (the slice of kube-scheduler's default plugins that
// kubesvc needs): filter nodes the pod may run on — NodeUnschedulable, NodeAffinity (nodeSelector
// and required node affinity, matchFields included), TaintToleration, and Ready — then pick the
// one with the fewest pods (ties by name). A pod that fits nowhere gets upstream's FitError message.
import type { Node, Pod } from '../api/core.js';
import { requiredNodeAffinityMatches } from '../api/scheduling/nodeaffinity.js';
import { doNotScheduleOrExecute, findMatchingUntoleratedTaint, notReadyTaintKey, podTolerations, toleratesTaint as tolerates, type Taint } from '../api/scheduling/taints.js';

export const reasonUnschedulable = 'node(s) were unschedulable';
export const reasonNodeSelector = "node(s) didn't match Pod's node affinity/selector";

/** Why the pod cannot go to this node (upstream's plugin status message), or undefined when it fits. */
export function filterNode(pod: Pod, node: Node): string | undefined {
  // Upstream tolerates the unschedulable taint as NodeUnschedulable does: via a toleration of node.kubernetes.io/unschedulable.
  if (node.spec?.unschedulable) {
    const ok = podTolerations(pod).some((t) =>
      tolerates(t, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }),
    );
    if (!ok) return reasonUnschedulable;
  }
  if (!requiredNodeAffinityMatches(pod, node)) return reasonNodeSelector;
  const taints = [...((node.spec?.taints ?? []) as Taint[])];
  // A node that is not Ready carries the not-ready taint upstream (TaintNodesByCondition); judge it so even before the taint is written.
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
  if (!ready && !taints.some((t) => t.key.startsWith('node.kubernetes.io/'))) taints.push({ key: notReadyTaintKey, effect: 'NoSchedule' });
  const untolerated = findMatchingUntoleratedTaint(taints, podTolerations(pod), doNotScheduleOrExecute);
  if (untolerated) return `node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`;
  return undefined;
}

export type ScheduleResult = { node: string } | { error: string };

/** Picks a node: the feasible one with the fewest pods, ties broken by name. */
export function schedule(pod: Pod, nodes: Node[], podsPerNode: Map<string, number>): ScheduleResult {
  if (nodes.length === 0) return { error: 'no nodes available to schedule pods' };
  const reasons = new Map<string, number>();
  const feasible: Node[] = [];
  for (const n of nodes) {
    const why = filterNode(pod, n);
    if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1);
    else feasible.push(n);
  }
  if (feasible.length === 0) return { error: fitError(nodes.length, reasons) };
  feasible.sort((a, b) => {
    const d = (podsPerNode.get(a.metadata.name ?? '') ?? 0) - (podsPerNode.get(b.metadata.name ?? '') ?? 0);
    if (d !== 0) return d;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
  return { node: feasible[0]!.metadata.name ?? '' };
}

/**
 * FitError.Error(): `0/N nodes are available: <count reason>, ... .` with the reasons sorted as
 * strings, then the DefaultPreemption plugin's verdict (no preemption here, so never helpful).
 */
export function fitError(numNodes: number, reasons: Map<string, number>): string {
  const parts = [...reasons].map(([r, n]) => `${n} ${r}`).sort();
  let msg = `0/${numNodes} nodes are available:`;
  if (parts.length) msg += ` ${parts.join(', ')}.`;
  msg += ` preemption: 0/${numNodes} nodes are available: ${numNodes} Preemption is not helpful for scheduling.`;
  return msg;
}

/** Pods the scheduler owns: unbound, not terminating, addressed to it. */
export function responsibleFor(pod: Pod, schedulerName: string): boolean {
  if (pod.spec?.nodeName || pod.metadata.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  return (pod.spec?.schedulerName ?? 'default-scheduler') === schedulerName;
}
