// The READY, STATUS and RESTARTS cells of a Pod, following upstream's printPod decisions step by step:
// the STATUS column is a summary users read every day, so its precedence rules must be exactly upstream's.
import type { Container, ContainerStatus, Pod } from '../../api/core.js';
import { parseTime, since } from './duration.js';

export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

/** Sidecar containers: init containers with restartPolicy Always keep running next to the app containers. */
function isRestartableInit(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

function conditionTrue(pod: Pod, type: string): boolean {
  for (const c of pod.status?.conditions ?? []) {
    if (c.type === type) return c.status === 'True';
  }
  return false;
}

function hasReadyCondition(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Tracks the latest lastState.terminated.finishedAt seen, for the "(5s ago)" part of RESTARTS. */
class LastRestart {
  at: Date | undefined;
  note(cs: ContainerStatus): void {
    const t = cs.lastState?.terminated;
    if (!t) return;
    const d = parseTime(t.finishedAt);
    if (d && (!this.at || this.at < d)) this.at = d;
  }
}

/** READY `n/m`, STATUS, and RESTARTS `n` or `n (age ago)` for one Pod. */
export function summarizePod(pod: Pod, now: Date): PodSummary {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  let restarts = 0;
  let sidecarRestarts = 0;
  let total = (spec.containers ?? []).length;
  let ready = 0;
  let last = new LastRestart();
  const sidecarLast = new LastRestart();

  const phase = status.phase ?? '';
  let reason: string = status.reason ? status.reason : phase;
  // A Pod held back by scheduling gates says so instead of plain Pending.
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  const initSpecs = new Map<string, Container>();
  for (const c of spec.initContainers ?? []) {
    initSpecs.set(c.name, c);
    if (isRestartableInit(c)) total++;
  }

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i] as ContainerStatus;
    restarts += cs.restartCount ?? 0;
    last.note(cs);
    const sidecar = isRestartableInit(initSpecs.get(cs.name));
    if (sidecar) {
      sidecarRestarts += cs.restartCount ?? 0;
      sidecarLast.note(cs);
    }
    const term = cs.state?.terminated;
    const wait = cs.state?.waiting;
    if (term && term.exitCode === 0) continue;
    if (sidecar && cs.started === true) {
      if (cs.ready) ready++;
      continue;
    }
    if (term) {
      if (!term.reason) {
        reason = term.signal ? `Init:Signal:${term.signal}` : `Init:ExitCode:${term.exitCode}`;
      } else {
        reason = `Init:${term.reason}`;
      }
    } else if (wait && wait.reason && wait.reason !== 'PodInitializing') {
      reason = `Init:${wait.reason}`;
    } else {
      reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    }
    initializing = true;
    break;
  }

  if (!initializing || conditionTrue(pod, 'Initialized')) {
    // Once the app containers run, only sidecar restarts still count among the init containers'.
    restarts = sidecarRestarts;
    last = sidecarLast;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    // Walk backwards so the first container's state wins, as upstream does.
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] as ContainerStatus;
      restarts += cs.restartCount ?? 0;
      last.note(cs);
      const wait = cs.state?.waiting;
      const term = cs.state?.terminated;
      if (wait && wait.reason) {
        reason = wait.reason;
      } else if (term && term.reason) {
        reason = term.reason;
      } else if (term) {
        reason = term.signal ? `Signal:${term.signal}` : `ExitCode:${term.exitCode}`;
      } else if (cs.ready && cs.state?.running) {
        hasRunning = true;
        ready++;
      }
    }
    // A finished container next to one still running: the Pod as a whole is still up.
    if (reason === 'Completed' && hasRunning) {
      reason = hasReadyCondition(pod) ? 'Running' : 'NotReady';
    }
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') {
    reason = 'Unknown';
  } else if (pod.metadata.deletionTimestamp && phase !== 'Failed' && phase !== 'Succeeded') {
    reason = 'Terminating';
  }

  let restartsText = String(restarts);
  if (restarts !== 0 && last.at) {
    restartsText = `${restarts} (${since(last.at.toISOString(), now)} ago)`;
  }

  return { ready: `${ready}/${total}`, status: reason, restarts: restartsText };
}
