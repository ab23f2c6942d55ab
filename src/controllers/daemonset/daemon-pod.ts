// Which nodes run a DaemonSet's pod, and the pod each one gets (upstream's daemon_controller.go
// NodeShouldRunDaemonPod and util.AddOrUpdateDaemonPodTolerations / ReplaceDaemonSetPodNodeNameNodeAffinity).
// A daemon pod is pinned to its node by a required node-affinity term on metadata.name, so the
// scheduler (not the controller) binds it, and tolerates what a node's own trouble would taint it with.
import { podTemplateGenerationLabel, templateGenerationAnnotation, type DaemonSet } from '../../api/apps.js';
import type { Node, Pod } from '../../api/core.js';
import type { OwnerReference } from '../../api/meta.js';
import { podNodeAffinity, requiredNodeAffinityMatches, type NodeAffinity } from '../../api/scheduling/nodeaffinity.js';
import { doNotScheduleOrExecute, findMatchingUntoleratedTaint, notReadyTaintKey, podTolerations, unreachableTaintKey, type Taint, type Toleration } from '../../api/scheduling/taints.js';
import { getPodFromTemplate } from '../common/pod-template.js';
import { controllerRevisionHashLabel } from '../history/history.js';

/** The tolerations every daemon pod gets, so node conditions do not evict or block it. */
export function daemonPodTolerations(hostNetwork: boolean): Toleration[] {
  const t: Toleration[] = [
    { key: notReadyTaintKey, operator: 'Exists', effect: 'NoExecute' },
    { key: unreachableTaintKey, operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (hostNetwork) t.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  return t;
}

/** AddOrUpdateTolerationInPod: a toleration for the same key, operator, value and effect is replaced, others kept. */
function addOrUpdateTolerations(pod: Pod, add: Toleration[]): void {
  const list = [...podTolerations(pod)];
  for (const t of add) {
    const i = list.findIndex((x) => (x.key ?? '') === (t.key ?? '') && (x.operator ?? 'Equal') === t.operator && (x.effect ?? '') === (t.effect ?? '') && (x.value ?? '') === (t.value ?? ''));
    if (i >= 0) list[i] = t;
    else list.push(t);
  }
  pod.spec.tolerations = list;
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the required terms become the one term naming the node. */
function pinToNode(pod: Pod, nodeName: string): void {
  const affinity = { ...((pod.spec.affinity as Record<string, unknown> | undefined) ?? {}) };
  const na: NodeAffinity = { ...(podNodeAffinity(pod) ?? {}) };
  na.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
  };
  affinity['nodeAffinity'] = na;
  pod.spec.affinity = affinity;
}

/** The pod a node gets: the template, pinned to the node, with the daemon tolerations and the revision's hash. */
export function newDaemonPod(ds: DaemonSet, nodeName: string, hash: string, controllerRef: OwnerReference): Pod {
  const pod = getPodFromTemplate(ds.spec.template, ds, controllerRef);
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [controllerRevisionHashLabel]: hash };
  const generation = ds.metadata.annotations?.[templateGenerationAnnotation];
  if (generation) pod.metadata.labels[podTemplateGenerationLabel] = generation;
  addOrUpdateTolerations(pod, daemonPodTolerations(!!pod.spec.hostNetwork));
  pinToNode(pod, nodeName);
  return pod;
}

/** The node a daemon pod is bound to, or the one its affinity pins it to while unscheduled. */
export function getTargetNodeName(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  for (const term of podNodeAffinity(pod)?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

/**
 * NodeShouldRunDaemonPod: shouldRun when the node matches the template's nodeName, nodeSelector
 * and required affinity and every NoSchedule/NoExecute taint is tolerated; shouldContinueRunning
 * also while only NoSchedule taints are untolerated (they keep new pods off, not running ones).
 */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): { shouldRun: boolean; shouldContinueRunning: boolean } {
  // The template's own affinity is what decides (upstream's NewPod), not the pin to a node.
  const pod: Pod = { metadata: {}, spec: structuredClone(ds.spec.template.spec) };
  addOrUpdateTolerations(pod, daemonPodTolerations(!!pod.spec.hostNetwork));
  const wantNode = ds.spec.template.spec.nodeName;
  if (wantNode && wantNode !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  if (!requiredNodeAffinityMatches(pod, node)) return { shouldRun: false, shouldContinueRunning: false };
  const taints = (node.spec?.taints ?? []) as Taint[];
  const tolerations = podTolerations(pod);
  if (findMatchingUntoleratedTaint(taints, tolerations, doNotScheduleOrExecute)) {
    const noExecute = findMatchingUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute');
    return { shouldRun: false, shouldContinueRunning: !noExecute };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}
