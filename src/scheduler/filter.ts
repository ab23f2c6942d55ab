// One scheduling cycle as pure functions, kube-scheduler's framework over the default plugins
// (src/scheduler/plugins): every plugin filters every node (the first failure is the node's
// status), the feasible nodes are scored by each plugin, normalized, weighted and summed, and the
// best wins. Upstream picks at random among equal scores; here the node with fewer pods wins a
// tie, then the first by name, so placements are repeatable and still spread. A pod that fits
// nowhere gets upstream's FitError text, including the verdict of DefaultPreemption.
import type { Pod } from '../api/core.js';
import { unresolvable, type NodeInfo, type Plugin, type PodCycle, type Snapshot, type Status } from './framework/types.js';
import { defaultPlugins } from './plugins/index.js';

export type ScheduleResult = { node: string } | { error: string };

/** Preemption's per-node verdicts when no pod may be evicted (kubesvc does not preempt). */
const noVictims = 'No preemption victims found for incoming pod';
const notHelpful = 'Preemption is not helpful for scheduling';

/** Why the pod cannot go to this node, or undefined when it fits. */
export function filterNode(cycles: PodCycle[], ni: NodeInfo): Status | undefined {
  for (const c of cycles) {
    const s = c.filter?.(ni);
    if (s) return s;
  }
  return undefined;
}

export function schedule(pod: Pod, snapshot: Snapshot, plugins: readonly Plugin[] = defaultPlugins): ScheduleResult {
  if (snapshot.nodes.length === 0) return { error: 'no nodes available to schedule pods' };
  const cycles = plugins.map((p) => p.cycle(pod, snapshot));
  const statuses: Status[] = [];
  // PreFilter: a rejection ends the cycle; node names narrow what is filtered.
  let only: Set<string> | undefined;
  const narrowing: string[] = [];
  for (const [i, c] of cycles.entries()) {
    const pre = c.preFilter;
    if (!pre) continue;
    if ('reject' in pre) return { error: fitError(snapshot.nodes.length, snapshot.nodes.map(() => pre.reject), pre.reject.reasons.join(', ')) };
    narrowing.push(plugins[i]!.name);
    only = only ? new Set([...only].filter((n) => pre.nodeNames.has(n))) : pre.nodeNames;
  }
  const feasible: NodeInfo[] = [];
  for (const ni of snapshot.nodes) {
    if (only && !only.has(ni.node.metadata.name ?? '')) {
      statuses.push(unresolvable(`node(s) didn't satisfy plugin(s) [${narrowing.sort().join(' ')}]`));
      continue;
    }
    const s = filterNode(cycles, ni);
    if (s) statuses.push(s);
    else feasible.push(ni);
  }
  if (feasible.length === 0) return { error: fitError(snapshot.nodes.length, statuses) };
  const byName = (ni: NodeInfo) => ni.node.metadata.name ?? '';
  if (feasible.length === 1) return { node: byName(feasible[0]!) };
  const total = feasible.map(() => 0);
  plugins.forEach((p, i) => {
    const c = cycles[i]!;
    if (!p.weight || !c.score) return;
    c.preScore?.(feasible);
    const scores = feasible.map((ni) => c.score!(ni));
    c.normalize?.(scores, feasible);
    scores.forEach((s, j) => (total[j]! += s * p.weight));
  });
  const better = (j: number, k: number): boolean => {
    if (total[j] !== total[k]) return total[j]! > total[k]!;
    const [a, b] = [feasible[j]!, feasible[k]!];
    if (a.pods.length !== b.pods.length) return a.pods.length < b.pods.length;
    return byName(a) < byName(b);
  };
  let best = 0;
  for (let j = 1; j < feasible.length; j++) if (better(j, best)) best = j;
  return { node: byName(feasible[best]!) };
}

/** sortReasonsHistogram: `<count> <reason>` for each reason, sorted as strings, joined by ", ". */
function histogram(reasons: string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts].map(([r, n]) => `${n} ${r}`).sort().join(', ');
}

/**
 * FitError.Error(): `0/N nodes are available: <reasons>.` then, as upstream appends
 * DefaultPreemption's PostFilter message with its own period, ` preemption: 0/N nodes are
 * available: <verdicts>..` — nodes failing with Unschedulable are where preemption would look for
 * victims (none: kubesvc does not preempt), the others are where it is not helpful.
 */
export function fitError(numNodes: number, statuses: Status[], preFilterMsg?: string): string {
  // A PreFilter rejection is said once, not per node.
  const reasons = preFilterMsg ?? histogram(statuses.flatMap((s) => s.reasons));
  const verdicts = histogram([
    ...statuses.filter((s) => s.code === 'Unschedulable').map(() => noVictims),
    ...Array.from({ length: numNodes - statuses.filter((s) => s.code === 'Unschedulable').length }, () => notHelpful),
  ]);
  let msg = `0/${numNodes} nodes are available:`;
  if (reasons) msg += ` ${reasons}.`;
  return `${msg} preemption: 0/${numNodes} nodes are available: ${verdicts}..`;
}

/** Pods the scheduler owns: unbound, not terminating, addressed to it. */
export function responsibleFor(pod: Pod, schedulerName: string): boolean {
  if (pod.spec?.nodeName || pod.metadata.deletionTimestamp) return false;
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  return (pod.spec?.schedulerName ?? 'default-scheduler') === schedulerName;
}
