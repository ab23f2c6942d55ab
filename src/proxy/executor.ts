// The one place the kernel proxy modes start processes (iptables-restore, iptables-save, nft,
// conntrack, sysctl). Tests inject a fake RuleExecutor instead. With a network namespace every
// command runs as `ip netns exec <ns> …`, so a node's proxy programs that node's namespace and
// never the host's own tables or sysctls.
import { spawn } from 'node:child_process';
import type { RuleExecutor } from './rules.js';

/** Exit code reported for a command killed at its timeout (as coreutils' timeout(1) reports). */
export const timeoutExitCode = 124;

/** Default limit per command: generous for a full restore at 10,000 Services, yet finite. */
export const defaultCommandTimeoutMs = 60_000;

export interface CommandExecutorOptions {
  /**
   * Kill a command still running after this long and report it as failed (exit 124). A hung
   * `conntrack -D` or `ip netns exec` would otherwise stall this node's proxy forever, since
   * syncs never overlap; failing it lets the framework retry with a full sync. Default 60 s;
   * 0 disables the limit.
   */
  timeoutMs?: number;
}

/**
 * Runs `[...prefix, ...argv]`, feeding `input` (or nothing) on stdin; never rejects on a non-zero
 * exit or a timeout, both of which are reported through the exit code and stderr.
 */
export function commandExecutor(prefix: readonly string[] = [], opts: CommandExecutorOptions = {}): RuleExecutor {
  const timeoutMs = opts.timeoutMs ?? defaultCommandTimeoutMs;
  return {
    run(argv: string[], input?: string) {
      const full = [...prefix, ...argv];
      return new Promise((resolve, reject) => {
        const child = spawn(full[0]!, full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let done = false;
        let timer: NodeJS.Timeout | undefined;
        const finish = (code: number, extraStderr = '') => {
          if (done) return;
          done = true;
          if (timer) clearTimeout(timer);
          resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() + extraStderr });
        };
        child.stdout.on('data', (b: Buffer) => out.push(b));
        child.stderr.on('data', (b: Buffer) => err.push(b));
        // Only a failure to start the process (ENOENT) rejects; tool failures are exit codes.
        child.on('error', (e) => {
          if (done) return;
          done = true;
          if (timer) clearTimeout(timer);
          reject(e);
        });
        child.on('close', (code) => finish(code ?? -1));
        if (timeoutMs > 0) {
          timer = setTimeout(() => {
            // SIGKILL: a tool stuck in the kernel or on a lock may ignore SIGTERM. Resolve now
            // rather than on 'close': a grandchild holding the pipes open would delay that too.
            child.kill('SIGKILL');
            child.stdout.destroy();
            child.stderr.destroy();
            finish(timeoutExitCode, `${err.length ? '\n' : ''}${full.join(' ')}: killed after ${timeoutMs} ms without finishing (command timeout)`);
          }, timeoutMs);
          // A pending command must not be what keeps the process alive at exit.
          timer.unref();
        }
        // EPIPE when the tool exits before reading stdin is reported through its exit code instead.
        child.stdin.on('error', () => undefined);
        child.stdin.end(input ?? '');
      });
    },
  };
}

/** Inside `netns` (`ip netns exec <netns> …`) when given; this process's own namespace otherwise. */
export function netnsExecutor(netns?: string, opts: CommandExecutorOptions = {}): RuleExecutor {
  return commandExecutor(netns ? ['ip', 'netns', 'exec', netns] : [], opts);
}
