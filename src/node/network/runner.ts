// Every kernel-touching command of netns mode goes through a NetRunner, so unit tests can assert the
// exact commands with a fake and only integration tests (as root) run the real `ip` and `sysctl`.
import { spawn } from 'node:child_process';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Text written to the command's stdin. */
  input?: string;
  /** Run inside this named network namespace (`ip netns exec <netns> ...`). */
  netns?: string;
}

export interface NetRunner {
  run(argv: string[], opts?: RunOptions): Promise<RunResult>;
}

/** The command line a runner executes for argv in netns (exported so a pod's process can be started the same way). */
export function netnsArgv(argv: string[], netns?: string): string[] {
  return netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv;
}

/** Spawns the real commands. A command that cannot be started (ENOENT) reports code 127 like a shell. */
export const defaultRunner: NetRunner = {
  run(argv, opts = {}) {
    // `ip -n <ns>` switches namespace inside ip itself: half the cost of `ip netns exec`, which
    // also unshares a mount namespace (a node's setup is a few dozen such commands).
    const full = argv[0] === 'ip' && opts.netns ? ['ip', '-n', opts.netns, ...argv.slice(1)] : netnsArgv(argv, opts.netns);
    return new Promise((resolve) => {
      const child = spawn(full[0]!, full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', (e) => resolve({ code: 127, stdout, stderr: stderr + String(e.message) }));
      child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
      // Some commands never read stdin; ignore EPIPE from them.
      child.stdin.on('error', () => {});
      child.stdin.end(opts.input ?? '');
    });
  },
};

export class NetCommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly netns: string | undefined,
    readonly result: RunResult,
  ) {
    const where = netns ? ` (in netns ${netns})` : '';
    super(`${argv.join(' ')}${where} exited ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
    this.name = 'NetCommandError';
  }
}

/** Runs argv and throws NetCommandError unless it exits 0 (or its stderr matches `tolerate`). */
export async function mustRun(runner: NetRunner, argv: string[], opts: RunOptions & { tolerate?: RegExp } = {}): Promise<RunResult> {
  const { tolerate, ...runOpts } = opts;
  const res = await runner.run(argv, runOpts);
  if (res.code !== 0 && !(tolerate && tolerate.test(res.stderr))) throw new NetCommandError(argv, opts.netns, res);
  return res;
}

/** stderr of `ip` when the thing to create is already there: creation steps are idempotent so an agent can rerun them. */
export const EXISTS = /File exists|already exists/i;
/**
 * stderr of `ip` when the thing to delete is already gone (`No such device`: a veth whose peer's
 * namespace was deleted a moment before goes with it, between listing and deleting).
 */
export const GONE = /Cannot find device|No such device|No such file|No such process|does not exist|not found/i;
