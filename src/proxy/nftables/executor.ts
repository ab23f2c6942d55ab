// The one place that runs `nft`: a RuleExecutor over child_process, optionally inside a network
// namespace (`ip netns exec <ns>`), so the node's rules land in the node, never in the host.
import { spawn } from 'node:child_process';
import type { RuleExecutor } from '../rules.js';

export function commandExecutor(prefix: readonly string[] = []): RuleExecutor {
  return {
    run(argv, input) {
      const full = [...prefix, ...argv];
      return new Promise((resolve, reject) => {
        const child = spawn(full[0]!, full.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (b: Buffer) => out.push(b));
        child.stderr.on('data', (b: Buffer) => err.push(b));
        child.on('error', reject);
        child.on('close', (code) => {
          resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() });
        });
        // An EPIPE when nft exits early is reported through its exit code and stderr instead.
        child.stdin.on('error', () => undefined);
        child.stdin.end(input ?? '');
      });
    },
  };
}

export function netnsExecutor(netns: string): RuleExecutor {
  return commandExecutor(['ip', 'netns', 'exec', netns]);
}
