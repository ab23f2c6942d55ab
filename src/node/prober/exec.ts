// exec probes: the command runs with the container's environment and working directory (no shell),
// success on exit 0; the output (stdout and stderr, at most 10 KiB) goes into the event.
import { spawn } from 'node:child_process';
import { commandArgv, lookPathOutsideVolumes } from '../runtime/exec-prefix.js';
import type { ProbeOutcome } from './types.js';

export interface ExecProbeTarget {
  command: string[];
  env: Record<string, string>;
  cwd?: string;
  /** The pod network's argv prefix (PodNetwork.execPrefix): the command runs in the pod's network. */
  execPrefix?: string[];
  /** The runtime's way into the container (ContainerHandle.execArgv): it then resolves the command itself. */
  inContainer?: (command: string[], cwd?: string) => string[];
  /** The container's volume mountPaths: what lies inside them exists only in its mount namespace. */
  mountPaths?: string[];
}

function notFound(command: string): ProbeOutcome {
  return { result: 'failure', output: `exec: "${command}": executable file not found in $PATH` };
}

export function execProbe(t: ExecProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    if (t.command.length === 0) {
      resolve({ result: 'failure', output: 'exec probe has no command' });
      return;
    }
    const prefix = t.execPrefix ?? [];
    // Behind a prefix a missing command is only the prefix's exit code: report it as a direct
    // spawn would, naming the command.
    const missing = prefix.length > 0 && !t.inContainer ? lookPathOutsideVolumes(t.command[0]!, t.env, t.cwd || undefined, t.mountPaths ?? []) : undefined;
    if (missing) {
      resolve(missing.code === 'ENOENT' ? notFound(t.command[0]!) : { result: 'failure', output: `exec failed: ${missing.message}` });
      return;
    }
    const argv = commandArgv(t);
    const child = spawn(argv.file, argv.args, {
      env: t.env,
      cwd: t.inContainer ? undefined : t.cwd || undefined,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (c: Buffer) => {
      if (output.length < 10240) output += c.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e.code === 'ENOENT') resolve(notFound(argv.file));
      else resolve({ result: 'failure', output: `exec failed: ${e.message}` });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (timedOut) resolve({ result: 'failure', output: `command "${t.command.join(' ')}" timed out` });
      else resolve({ result: code === 0 ? 'success' : 'failure', output });
    });
  });
}
