// The container runtime contract the node agent drives, shaped after the CRI's container calls so
// a CRI-backed runtime can sit behind it later. The agent owns pods, restarts, probes and logs;
// a runtime only starts and stops one container's processes.
import type { Readable } from 'node:stream';
import type { LinuxContainerResources } from './linux-resources.js';
import type { PulledImage } from './image-puller.js';

/** What to run: an image plus the container's command/args, already resolved by the agent. */
export interface ContainerConfig {
  /** Unique per run of a container (a new id each restart), as CRI container ids are. */
  id: string;
  podUID: string;
  podName: string;
  namespace: string;
  containerName: string;
  /** The restart count of this run. */
  attempt: number;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  /** The complete environment of the container's processes. */
  env: Record<string, string>;
  /**
   * The pod network's argv prefix (PodNetwork.execPrefix, e.g. `ip netns exec <ns>`) the program
   * starts behind, so it runs inside the pod's network; absent or [] starts it as is.
   */
  execPrefix?: string[];
  /**
   * The pod's volumes as this container mounts them, resolved by the agent to directories on this
   * machine (the kubelet's volume manager); a runtime that cannot mount says so rather than ignore them.
   */
  mounts?: ContainerMount[];
  /** The pod's hostname (spec.hostname or the pod name), for runtimes with their own UTS namespace. */
  hostname?: string;
  /** OCI images only: the pulled image (unpacked root filesystem and its config), see image-puller.ts. */
  pulled?: PulledImage;
  /** cpu and memory requests/limits as cgroup values, for a container that sets any (linux-resources.ts). */
  resources?: LinuxContainerResources;
}

/** One volume mount of a container (a CRI Mount): `hostPath` appears at `containerPath`. */
export interface ContainerMount {
  containerPath: string;
  hostPath: string;
  readOnly: boolean;
}

export interface ExitStatus {
  /** 128 + signal number when a signal ended it, as container runtimes report. */
  exitCode: number;
  signal?: NodeJS.Signals;
  finishedAt: Date;
  /**
   * The exit code could not be observed: the process was adopted from a previous agent, so it is
   * not this agent's child and nothing reports how it ended (exitCode is then 137, as the
   * kubelet reports a container it lost track of).
   */
  unknown?: boolean;
  /** The kernel killed it for exceeding its memory limit (the status reason OOMKilled). */
  oomKilled?: boolean;
}

/** A container a previous agent started that is still running (see ContainerRuntime.leftover). */
export interface LeftoverContainer {
  id: string;
  pid: number;
  /** The restart count it was started with (the number of its log file). */
  attempt: number;
  startedAt: Date;
}

/** How much of a run's output its log already holds: an adopted container's output resumes there. */
export interface OutputOffsets {
  stdout: number;
  stderr: number;
}

export interface ContainerHandle {
  readonly id: string;
  readonly pid: number;
  readonly startedAt: Date;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles once every process of the container has ended; never rejects. */
  readonly exited: Promise<ExitStatus>;
  /**
   * The argv that runs `command` inside the container (its namespaces, root, env and user), for
   * exec sessions, exec probes and hooks; absent: the command runs beside the container's
   * processes, behind the pod network's exec prefix with the container's env (process runtime).
   */
  readonly execArgv?: (command: string[], cwd?: string) => string[];
  /** Why the container's resource limits are not enforced, when it has some and this machine cannot. */
  readonly limitsNotEnforced?: string;
}

/** Why a container cannot be created at all (the container stays Waiting with this reason). */
export class ImageNotRunnableError extends Error {
  readonly reason = 'ImageNotRunnable';
}

/**
 * The container cannot be created from its image and spec (no command, unknown user): it waits
 * with reason CreateContainerError, as the kubelet reports a failed CreateContainer.
 */
export class CreateContainerError extends Error {
  readonly reason = 'CreateContainerError';
}

/** The program could not be executed (the container terminates with reason StartError). */
export class StartError extends Error {
  readonly reason = 'StartError';
}

export interface ContainerRuntime {
  /** Prefix of container ids in status, e.g. "kubesvc" gives "kubesvc://<id>". */
  readonly name: string;
  /**
   * Throws ImageNotRunnableError when the config can never run here, CreateContainerError when the
   * pulled image and the container together make no process.
   */
  check(config: Pick<ContainerConfig, 'image' | 'command' | 'args' | 'pulled'>): void;
  /** Throws ImageNotRunnableError, CreateContainerError or StartError. */
  start(config: ContainerConfig): Promise<ContainerHandle>;
  /** Sends `signal` to every process of the container; a no-op once it has exited. */
  signal(handle: ContainerHandle, signal: NodeJS.Signals): void;
  /**
   * Takes stock of the containers a previous agent left running (it was killed before it could
   * stop them), so that pods can adopt them; call before any pod worker exists.
   */
  recoverLeftovers?(): void;
  /** The running leftover of this pod's container, if the previous agent left one. */
  leftover?(podUID: string, containerName: string): LeftoverContainer | undefined;
  /**
   * Takes a leftover over as if this runtime had started it: its output continues from `offsets`,
   * its exit is watched. Undefined when it can no longer be adopted (it has exited meanwhile).
   */
  adopt?(id: string, offsets: OutputOffsets): ContainerHandle | undefined;
  /** Ends the processes a previous agent left running that no pod adopted. */
  cleanupLeftovers(): Promise<number>;
}

/** SIGTERM, then SIGKILL after `graceMs` unless the container has exited by then. */
export async function stopContainer(
  runtime: ContainerRuntime,
  handle: ContainerHandle,
  graceMs: number,
): Promise<ExitStatus> {
  runtime.signal(handle, graceMs > 0 ? 'SIGTERM' : 'SIGKILL');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      runtime.signal(handle, 'SIGKILL');
      resolve();
    }, Math.max(0, graceMs));
  });
  await Promise.race([handle.exited, killed]);
  clearTimeout(timer);
  return handle.exited;
}
