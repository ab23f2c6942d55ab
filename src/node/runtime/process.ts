// The process runtime: a container is a process group on this machine. Built-in images run as
// `node <entry> <args>`; any other image runs the container's command + args exec'd directly (no
// shell, as a container runtime does). Each container gets its own process group (detached), so
// signals reach every process it started, and a PID file so a restarted agent can adopt it (or
// clean it up). Its stdout and stderr go to files, not pipes into the agent, so it outlives an
// agent that is killed (see file-tail.ts).
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { PidFiles, type PidRecord } from './pidfiles.js';
import { FileTail } from './file-tail.js';
import { findLeftover, takeLeftover, whenGone } from './leftovers.js';
import { processAlive, procStartTime } from '../../util/process-alive.js';
import { lookPathOutsideVolumes, prefixed } from './exec-prefix.js';
import { builtinImageFor, builtinImageNames, hostImage, imageKind, loadBuiltinImages } from './images.js';
import { mountNamespaceSupport, mountPrefix, prepareMountPoints } from './mount-namespace.js';
import {
  CreateContainerError,
  ImageNotRunnableError,
  StartError,
  type ContainerConfig,
  type ContainerHandle,
  type ContainerRuntime,
  type ExitStatus,
  type LeftoverContainer,
  type OutputOffsets,
} from './types.js';

/** Where the ServiceAccount admission mounts every container's API credentials. */
const serviceAccountMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';

/** How often an adopted container (not this agent's child, so no 'exit' event) is checked. */
const adoptedPollMs = 500;

interface Program {
  file: string;
  argv: string[];
}

/** Every container process group still running, across runtimes, for the exit hook below. */
const liveGroups = new Set<number>();
let exitHooked = false;

/**
 * If the agent's process exits without stopping its pods (an uncaught error, process.exit), the
 * containers go with it: 'exit' handlers run synchronously, and a kill is synchronous. (A SIGKILL
 * of the agent cannot be caught; the PID files let the next agent clean up then.)
 */
function hookProcessExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
}

export class ProcessRuntime implements ContainerRuntime {
  readonly name = 'kubesvc';
  private readonly pidFiles: PidFiles;
  private readonly dir: string;
  private readonly live = new Map<string, ContainerHandle>();
  /** Containers a previous agent left running, by container id, until adopted or cleaned up. */
  private readonly leftovers = new Map<string, PidRecord>();
  /** The last signal sent to each live container: an adopted one's exit is reported by it. */
  private readonly signalled = new Map<string, NodeJS.Signals>();

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'containers');
    this.pidFiles = new PidFiles(this.dir);
  }

  /** Where a container's stdout or stderr goes while it runs. */
  private outputPath(id: string, stream: 'stdout' | 'stderr'): string {
    return join(this.dir, `${id}.${stream}`);
  }

  private removeOutput(id: string): void {
    rmSync(this.outputPath(id, 'stdout'), { force: true });
    rmSync(this.outputPath(id, 'stderr'), { force: true });
  }

  async init(): Promise<void> {
    await loadBuiltinImages();
  }

  check(config: Pick<ContainerConfig, 'image' | 'command' | 'args'>): void {
    this.program(config);
  }

  private program(config: Pick<ContainerConfig, 'image' | 'command' | 'args'>): Program {
    const image = config.image ?? '';
    const builtin = builtinImageFor(image);
    const command = config.command ?? [];
    const args = config.args ?? [];
    if (builtin) {
      // The image combines command and args with its ENTRYPOINT/CMD; a command naming another
      // program cannot run (that program is not in the "image").
      try {
        const imageArgs = builtin.args(config.command, config.args);
        const native = builtin.native?.(imageArgs);
        if (native) return native;
        return { file: process.execPath, argv: [...builtin.nodeFlags, builtin.entry, ...imageArgs] };
      } catch (e) {
        throw new ImageNotRunnableError((e as Error).message);
      }
    }
    if (imageKind(image) === 'host') {
      if (command.length > 0) return { file: command[0]!, argv: [...command.slice(1), ...args] };
      throw new ImageNotRunnableError(`image "${image}" runs the container's command on this machine: set the container's \`command\``);
    }
    const names = builtinImageNames();
    throw new ImageNotRunnableError(
      `kubesvc was started without image pulling, so image "${image}" cannot run: use a built-in image` +
        (names.length ? ` (${names.join(', ')})` : '') +
        `, or ${hostImage} with a \`command\` installed on this machine`,
    );
  }

  async start(config: ContainerConfig): Promise<ContainerHandle> {
    const prog = this.program(config);
    const mounts = config.mounts ?? [];
    const prefix = [...(config.execPrefix ?? []), ...this.mountsPrefix(config)];
    if (prefix.length > 0) {
      // Behind a prefix a missing program would only be the prefix's exit code: check it first so
      // the StartError names the user's program, as a direct spawn's would.
      const missing = lookPathOutsideVolumes(prog.file, config.env, config.workingDir, mounts.map((m) => m.containerPath));
      if (missing) throw new StartError(startErrorMessage(prog.file, config.workingDir, missing));
    }
    const argv = prefixed(prefix, prog.file, prog.argv);
    // O_APPEND: every process of the container writes at the end, whatever it inherited.
    this.pidFiles.ensureDir();
    const outPath = this.outputPath(config.id, 'stdout');
    const errPath = this.outputPath(config.id, 'stderr');
    const outFd = openSync(outPath, 'a', 0o600);
    const errFd = openSync(errPath, 'a', 0o600);
    let child: ReturnType<typeof spawn>;
    let spawned: Error | undefined;
    try {
      child = spawn(argv.file, argv.args, {
        cwd: config.workingDir || undefined,
        env: config.env,
        detached: true,
        stdio: ['ignore', outFd, errFd],
      });
      spawned = await new Promise<Error | undefined>((resolve) => {
        child.once('spawn', () => resolve(undefined));
        child.once('error', (e) => resolve(e));
      });
    } finally {
      closeSync(outFd);
      closeSync(errFd);
    }
    if (spawned || child.pid === undefined) {
      this.removeOutput(config.id);
      // The program and working dir were checked above: an ENOENT now is the prefix's own program.
      if (prefix.length > 0 && (spawned as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
        throw new StartError(`failed to start container process: pod network: exec "${prefix[0]}": executable file not found in $PATH`);
      }
      throw new StartError(startErrorMessage(prog.file, config.workingDir, spawned));
    }
    const pid = child.pid;
    const startedAt = new Date();
    hookProcessExit();
    liveGroups.add(pid);
    this.pidFiles.write({
      pid,
      containerID: config.id,
      podUID: config.podUID,
      container: config.containerName,
      attempt: config.attempt,
      startedAt: startedAt.toISOString(),
      procStart: procStartTime(pid),
    });
    const stdout = new FileTail(outPath);
    const stderr = new FileTail(errPath);
    const exited = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => {
        const status: ExitStatus = { exitCode: code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0), finishedAt: new Date() };
        if (signal) status.signal = signal;
        resolve(this.ended(config.id, pid, [stdout, stderr], status));
      });
    });
    const handle: ContainerHandle = { id: config.id, pid, startedAt, stdout, stderr, exited };
    this.live.set(config.id, handle);
    return handle;
  }

  /**
   * The mount namespace wrapper for the container's volumes. Without a way to make one, the
   * container is not created: its files would silently be missing.
   */
  private mountsPrefix(config: ContainerConfig): string[] {
    let mounts = config.mounts ?? [];
    if (mounts.length === 0) return [];
    const support = mountNamespaceSupport();
    // Every pod gets the ServiceAccount token mount by default: without a mount namespace it is
    // left out (the files stay in the volume's directory) rather than failing every pod here.
    if (support.kind === 'none') mounts = mounts.filter((m) => m.containerPath !== serviceAccountMountPath);
    if (mounts.length === 0) return [];
    if (support.kind === 'none') {
      throw new CreateContainerError(
        `cannot mount the container's volumes: process containers need a mount namespace, which this machine does not allow (${support.why})`,
      );
    }
    try {
      prepareMountPoints(mounts);
    } catch (e) {
      throw new CreateContainerError(`failed to create mount point: ${(e as Error).message}`);
    }
    return mountPrefix(mounts, support);
  }

  /** The main process of a container has exited: the rest of its group, its records and files go. */
  private ended(id: string, pid: number, output: FileTail[], status: ExitStatus): ExitStatus {
    // The container ends with its main process: whatever it left in its group goes too.
    killGroup(pid, 'SIGKILL');
    liveGroups.delete(pid);
    this.pidFiles.remove(id);
    this.live.delete(id);
    this.signalled.delete(id);
    // The tails hold the files open and read them to the end; the names can go now.
    this.removeOutput(id);
    for (const t of output) t.finish();
    return status;
  }

  signal(handle: ContainerHandle, signal: NodeJS.Signals): void {
    if (!this.live.has(handle.id)) return;
    this.signalled.set(handle.id, signal);
    killGroup(handle.pid, signal);
  }

  recoverLeftovers(): void {
    for (const rec of this.pidFiles.list()) {
      if (this.live.has(rec.containerID)) continue;
      // Only a process that writes its output to files survives its agent; one of an older
      // version, writing into pipes, dies at its next write and is not worth adopting.
      const adoptable =
        rec.attempt !== undefined &&
        rec.startedAt !== undefined &&
        existsSync(this.outputPath(rec.containerID, 'stdout')) &&
        existsSync(this.outputPath(rec.containerID, 'stderr'));
      const alive = PidFiles.stillOurs(rec);
      if (alive && adoptable) {
        this.leftovers.set(rec.containerID, rec);
      } else if (!alive) {
        endOrphanedGroup(rec.pid);
        this.pidFiles.remove(rec.containerID);
        this.removeOutput(rec.containerID);
      }
      // Alive but not adoptable: cleanupLeftovers kills it.
    }
  }

  leftover(podUID: string, containerName: string): LeftoverContainer | undefined {
    return findLeftover(this.leftovers.values(), podUID, containerName);
  }

  adopt(id: string, offsets: OutputOffsets): ContainerHandle | undefined {
    const taken = takeLeftover(this.leftovers, id, (s) => this.outputPath(id, s), offsets);
    if (!taken) return undefined;
    const { rec, stdout, stderr } = taken;
    const pid = rec.pid;
    hookProcessExit();
    liveGroups.add(pid);
    // Not our child: no 'exit' event, so its PID is watched.
    const exited = whenGone(rec, adoptedPollMs).then(() => {
      const sent = this.signalled.get(id);
      const status: ExitStatus = sent
        ? { exitCode: 128 + (osConstants.signals[sent] ?? 0), signal: sent, finishedAt: new Date() }
        : { exitCode: 137, unknown: true, finishedAt: new Date() };
      return this.ended(id, pid, [stdout, stderr], status);
    });
    const handle: ContainerHandle = { id, pid, startedAt: new Date(rec.startedAt ?? Date.now()), stdout, stderr, exited };
    this.live.set(id, handle);
    return handle;
  }

  async cleanupLeftovers(): Promise<number> {
    let n = 0;
    this.leftovers.clear();
    for (const rec of this.pidFiles.list()) {
      if (this.live.has(rec.containerID)) continue;
      if (PidFiles.stillOurs(rec)) {
        killGroup(rec.pid, 'SIGKILL');
        n++;
      } else {
        endOrphanedGroup(rec.pid);
      }
      this.pidFiles.remove(rec.containerID);
      this.removeOutput(rec.containerID);
    }
    return n;
  }

  /** Containers started by this runtime that have not exited yet. */
  get running(): ContainerHandle[] {
    return [...this.live.values()];
  }
}

/**
 * A container's main process died while no agent watched it (the agent ends the rest of the group
 * when it sees the exit): what it started lives on in its process group. The group keeps the
 * leader's PID from being reused while it has members, so with no process of that PID left, the
 * group of that number can only be the container's remnant. A live process of that PID (reused)
 * is someone else's: nothing is sent.
 */
function endOrphanedGroup(pid: number): void {
  if (processAlive(pid)) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* no member left */
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already (or never formed): try the process itself.
    try {
      process.kill(pid, signal);
    } catch {
      /* gone */
    }
  }
}

/** Close to what containerd reports when exec fails, which users search for. */
function startErrorMessage(file: string, cwd: string | undefined, err: Error | undefined): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' && cwd) {
    return `failed to start container process: chdir to cwd ("${cwd}") or exec "${file}": no such file or directory`;
  }
  if (code === 'ENOENT') return `exec: "${file}": executable file not found in $PATH`;
  if (code === 'EACCES') return `exec: "${file}": permission denied`;
  return `failed to start container process: ${err?.message ?? 'unknown error'}`;
}
