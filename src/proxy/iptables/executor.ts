// The one place the iptables mode starts processes. Tests inject a fake RuleExecutor instead;
// with `netns` every command runs inside that network namespace (`ip netns exec <ns> …`), so the
// proxy programs a node's namespace and never the host's own tables.
import { spawn } from 'node:child_process';
import type { RuleExecutor } from '../rules.js';

export function spawnExecutor(netns?: string): RuleExecutor {
  return {
    run(argv: string[], input?: string) {
      const full = netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv;
      return new Promise((resolve, reject) => {
        const child = spawn(full[0]!, full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (d: Buffer) => out.push(d));
        child.stderr.on('data', (d: Buffer) => err.push(d));
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
