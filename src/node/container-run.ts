// What the agent knows about one container of a pod across its runs: the current process (if
// any), the state and last state it reports, restarts, readiness and its probe workers.
import type { Container, ContainerState, ContainerStatus } from '../api/core.js';
import type { ContainerLogWriter } from './logs.js';
import type { ProbeWorker } from './prober/worker.js';
import type { ContainerHandle } from './runtime/types.js';

export interface ContainerRun {
  spec: Container;
  /** How often the container was restarted; also the number of the current run's log file. */
  restartCount: number;
  /** Has a run of this container been created before (so the next start is a restart)? */
  everStarted: boolean;
  handle?: ContainerHandle;
  logWriter?: ContainerLogWriter;
  /** The env of the current run, which exec probes also get. */
  env?: Record<string, string>;
  containerID?: string;
  state: ContainerState;
  lastState: ContainerState;
  ready: boolean;
  started: boolean;
  /** When the last run ended (ms), the start of its crash-loop back-off. */
  finishedAt?: number;
  probes: ProbeWorker[];
  /** Pending restart after back-off. */
  restartTimer?: NodeJS.Timeout;
  /** The message of the last Failed/BackOff event, so a repeated sync does not repeat it. */
  lastEvent?: string;
  /** Restart regardless of the restart policy once this run ends (its spec changed). */
  restartAnyway?: boolean;
}

export function newContainerRun(spec: Container, waitingReason = 'ContainerCreating'): ContainerRun {
  return {
    spec,
    restartCount: 0,
    everStarted: false,
    state: { waiting: { reason: waitingReason } },
    lastState: {},
    ready: false,
    started: false,
    probes: [],
  };
}

export function containerStatus(run: ContainerRun, runtimeName: string): ContainerStatus {
  const image = run.spec.image ?? '';
  const s: ContainerStatus = {
    name: run.spec.name,
    state: run.state,
    lastState: run.lastState,
    ready: run.ready,
    restartCount: run.restartCount,
    image,
    imageID: run.containerID ? `${runtimeName}://${image}` : '',
    started: run.started,
  };
  if (run.containerID) s.containerID = `${runtimeName}://${run.containerID}`;
  return s;
}

/** Upstream's ShouldContainerBeRestarted for a container that has exited. */
export function shouldRestart(policy: string | undefined, exitCode: number): boolean {
  if (policy === 'Never') return false;
  if (policy === 'OnFailure') return exitCode !== 0;
  return true;
}
