// What the netns e2e tests run from outside kubesvc: commands in a named network namespace (the
// test's own "host" namespace, a node, a pod) and on the machine, and the checks that skip them
// where netns mode cannot run.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { nsenterArgv } from './harness.js';

export function netnsSkipReason(): string | false {
  if (process.platform !== 'linux') return 'netns mode needs Linux';
  if (process.getuid?.() !== 0) return 'netns mode needs root';
  for (const tool of [['ip', 'netns', 'list'], ['nsenter', '--version'], ['curl', '--version'], ['iptables-restore', '--version'], ['nft', '--version']]) {
    if (spawnSync(tool[0]!, tool.slice(1)).status !== 0) return `netns mode e2e needs ${tool[0]}`;
  }
  if (!existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) return 'netns mode e2e needs br_netfilter';
  return false;
}

export interface Out {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs argv inside the named namespace (nsenter: the namespace's network, the machine's files). */
export function inNs(ns: string, argv: string[], timeoutMs = 10_000): Out {
  const full = [...nsenterArgv(ns), ...argv];
  const r = spawnSync(full[0]!, full.slice(1), { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, stdout: (r.stdout ?? '').trim(), stderr: (r.stderr ?? '').trim() };
}
export function run(argv: string[]): Out {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 10_000 });
  return { code: r.status, stdout: (r.stdout ?? '').trim(), stderr: (r.stderr ?? '').trim() };
}

/** One HTTP GET from inside ns: the body, or `error:<curl exit code>` (7 refused, 28 timeout). */
export function curl(ns: string, url: string): string {
  const r = inNs(ns, ['curl', '-sS', '--max-time', '2', '--connect-timeout', '2', url]);
  return r.code === 0 ? r.stdout : `error:${r.code}`;
}

export const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter((l) => l !== '');
