// The process runtime: a container is a process group on this machine. Built-in images run as
// `node <entry> <args>`; any other image runs the container's command + args exec'd directly (no
// shell, as a container runtime does). Each container gets its own process group (detached), so
// signals reach every process it started, and a PID file so a restarted agent can clean up.
import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import { join } from 'node:path';
import { PidFiles } from './pidfiles.js';
import { procStartTime } from '../../util/process-alive.js';
import { lookPath, prefixed } from './exec-prefix.js';
import { builtinImageFor, builtinImageNames, loadBuiltinImages } from './images.js';
import {
  ImageNotRunnableError,
  StartError,
  type ContainerConfig,
  type ContainerHandle,
  type ContainerRuntime,
  type ExitStatus,
} from './types.js';

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
  private readonly live = new Map<string, ContainerHandle>();

  constructor(dataDir: string) {
    this.pidFiles = new PidFiles(join(dataDir, 'containers'));
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
        return { file: process.execPath, argv: [builtin.entry, ...imageArgs] };
      } catch (e) {
        throw new ImageNotRunnableError((e as Error).message);
      }
    }
    if (command.length > 0) return { file: command[0]!, argv: [...command.slice(1), ...args] };
    const names = builtinImageNames();
    throw new ImageNotRunnableError(
      `kubesvc has no container runtime for image "${image}": it runs processes on this machine, so set the container's ` +
        `\`command\` to a program installed here, or use a built-in image` +
        (names.length ? ` (${names.join(', ')})` : ''),
    );
  }

  async start(config: ContainerConfig): Promise<ContainerHandle> {
    const prog = this.program(config);
    const prefix = config.execPrefix ?? [];
    if (prefix.length > 0) {
      // Behind a prefix a missing program would only be the prefix's exit code: check it first so
      // the StartError names the user's program, as a direct spawn's would.
      const missing = lookPath(prog.file, config.env, config.workingDir);
      if (missing) throw new StartError(startErrorMessage(prog.file, config.workingDir, missing));
    }
    const argv = prefixed(prefix, prog.file, prog.argv);
    const child = spawn(argv.file, argv.args, {
      cwd: config.workingDir || undefined,
      env: config.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const spawned = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (e) => resolve(e));
    });
    if (spawned || child.pid === undefined) {
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
      procStart: procStartTime(pid),
    });
    const exited = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => {
        // The container ends with its main process: whatever it left in its group goes too.
        killGroup(pid, 'SIGKILL');
        liveGroups.delete(pid);
        this.pidFiles.remove(config.id);
        this.live.delete(config.id);
        const status: ExitStatus = { exitCode: code ?? 128 + (signal ? (osConstants.signals[signal] ?? 0) : 0), finishedAt: new Date() };
        if (signal) status.signal = signal;
        resolve(status);
      });
    });
    const handle: ContainerHandle = { id: config.id, pid, startedAt, stdout: child.stdout!, stderr: child.stderr!, exited };
    this.live.set(config.id, handle);
    return handle;
  }

  signal(handle: ContainerHandle, signal: NodeJS.Signals): void {
    if (!this.live.has(handle.id)) return;
    killGroup(handle.pid, signal);
  }

  async cleanupLeftovers(): Promise<number> {
    let n = 0;
    for (const rec of this.pidFiles.list()) {
      if (this.live.has(rec.containerID)) continue;
      if (PidFiles.stillOurs(rec)) {
        killGroup(rec.pid, 'SIGKILL');
        n++;
      }
      this.pidFiles.remove(rec.containerID);
    }
    return n;
  }

  /** Containers started by this runtime that have not exited yet. */
  get running(): ContainerHandle[] {
    return [...this.live.values()];
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
