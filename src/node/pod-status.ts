// Pure pieces of the kubelet's pod status (pkg/kubelet/kubelet_pods.go getPhase and
// pkg/kubelet/status generators): the phase from container states, the five conditions in
// upstream's order, and lastTransitionTime kept while a condition's status does not change.
import type { Condition } from '../api/meta.js';
import type { ContainerStatus, Pod, PodStatus } from '../api/core.js';

type Phase = NonNullable<PodStatus['phase']>;

/** Init containers that have not completed successfully (for Initialized's message). */
export function incompleteInit(pod: Pod, initStatuses: ContainerStatus[]): string[] {
  return (pod.spec.initContainers ?? [])
    .filter((c) => initStatuses.find((s) => s.name === c.name)?.state?.terminated?.exitCode !== 0)
    .map((c) => c.name);
}

/** getPhase. `terminal`: the agent has stopped the pod for good. */
export function podPhase(pod: Pod, statuses: ContainerStatus[], terminal = false, initStatuses: ContainerStatus[] = []): Phase {
  let pendingInit = 0;
  let failedInit = 0;
  for (const c of pod.spec.initContainers ?? []) {
    const s = initStatuses.find((x) => x.name === c.name);
    if (s?.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s?.state?.waiting && s.lastState?.terminated) {
      if (s.lastState.terminated.exitCode !== 0) failedInit++;
    } else {
      pendingInit++;
    }
  }
  if (failedInit > 0 && pod.spec.restartPolicy === 'Never') return 'Failed';
  if (pendingInit > 0 || failedInit > 0) return 'Pending';
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of pod.spec.containers) {
    const s = statuses.find((x) => x.name === c.name);
    if (!s?.state) {
      unknown++;
      continue;
    }
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      // A container waiting to be restarted has run before: it counts as stopped, not pending.
      if (s.lastState?.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }
  const policy = pod.spec.restartPolicy ?? 'Always';
  if (waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (terminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

export interface ConditionInput {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

/** Keeps lastTransitionTime (and the rest) from `previous` when a condition's status is unchanged. */
export function withTransitionTimes(previous: Condition[] | undefined, next: ConditionInput[], now: string): Condition[] {
  return next.map((c) => {
    const prev = previous?.find((p) => p.type === c.type);
    const out: Condition = { type: c.type, status: c.status, lastProbeTime: null, lastTransitionTime: now } as Condition;
    if (prev && prev.status === c.status && prev.lastTransitionTime) out.lastTransitionTime = prev.lastTransitionTime;
    if (c.reason) out.reason = c.reason;
    if (c.message) out.message = c.message;
    return out;
  });
}

/** PodReadyToStartContainers, Initialized, Ready, ContainersReady, PodScheduled — upstream's order. */
export function podConditions(
  pod: Pod,
  statuses: ContainerStatus[],
  phase: Phase,
  sandboxReady: boolean,
  initStatuses: ContainerStatus[] = [],
): ConditionInput[] {
  const incomplete = incompleteInit(pod, initStatuses);
  const initialized: ConditionInput = incomplete.length
    ? { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: `containers with incomplete status: [${incomplete.join(' ')}]` }
    : { type: 'Initialized', status: 'True' };
  const unready = pod.spec.containers.filter((c) => !statuses.find((s) => s.name === c.name)?.ready).map((c) => c.name);
  const completed = phase === 'Succeeded' || phase === 'Failed';
  const notReady = (): ConditionInput =>
    completed
      ? { type: '', status: 'False', reason: 'PodCompleted' }
      : { type: '', status: 'False', reason: 'ContainersNotReady', message: `containers with unready status: [${unready.join(' ')}]` };
  const containersReady: ConditionInput = unready.length === 0 && !completed ? { type: '', status: 'True' } : notReady();
  // Ready also needs every readiness gate's condition True (set by others on the pod's status).
  const gates = ((pod.spec.readinessGates as { conditionType: string }[] | undefined) ?? []).map((g) => g.conditionType);
  const gateProblems = gates.flatMap((t) => {
    const cond = pod.status?.conditions?.find((x) => x.type === t);
    if (!cond) return [`corresponding condition of pod readiness gate "${t}" does not exist.`];
    if (cond.status !== 'True') return [`the status of pod readiness gate "${t}" is not "True", but ${cond.status}`];
    return [];
  });
  let ready = containersReady;
  if (containersReady.status === 'True' && gateProblems.length) {
    ready = { type: '', status: 'False', reason: 'ReadinessGatesNotReady', message: gateProblems.join(', ') };
  }
  return [
    { type: 'PodReadyToStartContainers', status: sandboxReady ? 'True' : 'False' },
    initialized,
    { ...ready, type: 'Ready' },
    { ...containersReady, type: 'ContainersReady' },
    { type: 'PodScheduled', status: 'True' },
  ];
}

/** Stable JSON for comparing statuses (key order does not matter). */
export function stableJSON(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      const o = val as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
    }
    return val;
  });
}

/** RFC 3339 with second precision, as metav1.Time serializes. */
export function metaTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}
