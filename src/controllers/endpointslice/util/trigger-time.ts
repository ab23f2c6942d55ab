// TriggerTimeTracker (upstream's endpointslice/util): the time of the earliest change that this
// sync of a Service's endpoints reflects, written as endpoints.kubernetes.io/last-change-trigger-time
// so kube-proxy can measure network programming latency. A pod's change time is its Ready
// condition's lastTransitionTime; a Service's is its creation time. Changes already reflected
// by the previous sync do not count again. Upstream has no trigger time for a pod that is simply
// gone (force-deleted, or removed once terminated), so kube-proxy could not time how fast a
// deletion reached it; here the controller reports when its informer saw such a pod go (or start
// terminating), and that time counts as the pod's change.
import type { Pod, Service } from '../../../api/core.js';

interface ServiceState {
  lastServiceTriggerTime: number;
  lastPodTriggerTimes: Map<string, number>;
}

function parseTime(t: string | undefined | null): number {
  if (!t) return 0;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? 0 : ms;
}

function podTriggerTime(pod: Pod): number {
  return parseTime(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime);
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();
  /** Per Service key, the earliest pod deletion observed since its last sync. */
  private readonly observed = new Map<string, number>();
  /** Per Service key, the trigger time of a sync that has not succeeded yet (kept for its retry). */
  private readonly pending = new Map<string, number>();

  /** Records a pod change the pod itself does not carry a time for (its deletion), for the Service `key`. */
  observe(key: string, atMs: number): void {
    const cur = this.observed.get(key);
    if (cur === undefined || atMs < cur) this.observed.set(key, atMs);
  }

  /**
   * Milliseconds since the epoch, or 0 when no trigger time should be written (the annotation
   * is then removed). Must be called once per sync of the Service, even when nothing is written,
   * so the next sync compares against what this one saw.
   */
  compute(service: Service, pods: Pod[]): number {
    const key = `${service.metadata.namespace ?? ''}/${service.metadata.name ?? ''}`;
    const prev = this.states.get(key);
    let min = this.observed.get(key) ?? 0;
    this.observed.delete(key);
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = podTriggerTime(pod);
      if (!t) continue;
      podTimes.set(pod.metadata.name ?? '', t);
      if (t > (prev?.lastPodTriggerTimes.get(pod.metadata.name ?? '') ?? 0) && (min === 0 || t < min)) min = t;
    }
    const svcTime = parseTime(service.metadata.creationTimestamp);
    if (svcTime > (prev?.lastServiceTriggerTime ?? 0) && (min === 0 || svcTime < min)) min = svcTime;
    this.states.set(key, { lastServiceTriggerTime: svcTime, lastPodTriggerTimes: podTimes });
    // A Service seen for the first time: its endpoints are as new as the Service.
    let result = prev ? min : svcTime;
    // A sync that failed (e.g. a stale cache) saw changes this one reflects too: keep the earliest.
    const earlier = this.pending.get(key);
    if (earlier !== undefined && (result === 0 || earlier < result)) result = earlier;
    if (result) this.pending.set(key, result);
    return result;
  }

  /** The sync of `key` ("ns/name") succeeded: the changes it reflected no longer count. */
  synced(key: string): void {
    this.pending.delete(key);
  }

  deleteService(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
    this.observed.delete(`${namespace}/${name}`);
    this.pending.delete(`${namespace}/${name}`);
  }
}

/** Go's time.RFC3339Nano in UTC: fractional seconds without trailing zeros, none when whole. */
export function formatRFC3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d+)Z$/, (_m, frac: string) => {
    const f = frac.replace(/0+$/, '');
    return f ? `.${f}Z` : 'Z';
  });
}

/** Sets or, for 0, removes the trigger-time annotation (upstream's addTriggerTimeAnnotation). */
export function setTriggerTimeAnnotation(annotations: Record<string, string>, key: string, triggerTime: number): void {
  if (triggerTime) annotations[key] = formatRFC3339Nano(triggerTime);
  else delete annotations[key];
}
