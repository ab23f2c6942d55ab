// exec probes: the command runs with the container's environment and working directory (no shell),
// success on exit 0; the output (stdout and stderr, at most 10 KiB) goes into the event.
import { spawn } from 'node:child_process';
import type { ProbeOutcome } from './types.js';

export interface ExecProbeTarget {
  command: string[];
  env: Record<string, string>;
  cwd?: string;
}

export function execProbe(t: ExecProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    if (t.command.length === 0) {
      resolve({ result: 'failure', output: 'exec probe has no command' });
      return;
    }
    const child = spawn(t.command[0]!, t.command.slice(1), {
      env: t.env,
      cwd: t.cwd || undefined,
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
      const msg =
        e.code === 'ENOENT' ? `exec: "${t.command[0]}": executable file not found in $PATH` : `exec failed: ${e.message}`;
      resolve({ result: 'failure', output: msg });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      if (timedOut) resolve({ result: 'failure', output: `command "${t.command.join(' ')}" timed out` });
      else resolve({ result: code === 0 ? 'success' : 'failure', output });
    });
  });
}
