// The one place the kernel proxy modes start processes (iptables-restore, iptables-save, nft,
// conntrack, sysctl). Tests inject a fake RuleExecutor instead. With a network namespace every
// command runs as `ip netns exec <ns> …`, so a node's proxy programs that node's namespace and
// never the host's own tables or sysctls.
import { spawn } from 'node:child_process';
import type { RuleExecutor } from './rules.js';

/** Runs `[...prefix, ...argv]`, feeding `input` (or nothing) on stdin; never rejects on a non-zero exit. */
export function commandExecutor(prefix: readonly string[] = []): RuleExecutor {
  return {
    run(argv: string[], input?: string) {
      const full = [...prefix, ...argv];
      return new Promise((resolve, reject) => {
        const child = spawn(full[0]!, full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (b: Buffer) => out.push(b));
        child.stderr.on('data', (b: Buffer) => err.push(b));
        // Only a failure to start the process (ENOENT) rejects; tool failures are exit codes.
        child.on('error', reject);
        child.on('close', (code) =>
          resolve({ code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }),
        );
        // EPIPE when the tool exits before reading stdin is reported through its exit code instead.
        child.stdin.on('error', () => undefined);
        child.stdin.end(input ?? '');
      });
    },
  };
}

/** Inside `netns` (`ip netns exec <netns> …`) when given; this process's own namespace otherwise. */
export function netnsExecutor(netns?: string): RuleExecutor {
  return commandExecutor(netns ? ['ip', 'netns', 'exec', netns] : []);
}
