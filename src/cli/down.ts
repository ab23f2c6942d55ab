// `kubesvc down`: removes what `kubesvc up --network netns` built on this machine (namespaces, the
// kubesvc0 bridge and node veths, their routes, /etc/netns dirs), found by name so it also cleans up
// after a crash. Nothing to remove is success.
import { flagHelp, parseFlags, type FlagSpec, UsageError } from './flags.js';
import { teardownAll } from '../node/network/teardown.js';
import { defaultRunner, type NetRunner } from '../node/network/runner.js';
import type { NetFiles } from '../node/network/files.js';
import { clearStaleLocks, netnsHolders, type LockHolder } from './netns-lock.js';

const specs: FlagSpec[] = [
  { name: 'prefix', help: 'namespace prefix to remove (<prefix>-node-N, <prefix>-pod-UID)', default: 'kubesvc', metavar: 'NAME' },
  { name: 'link-prefix', help: 'prefix of host-side node veths (<link-prefix>nN)', default: 'ks', metavar: 'NAME' },
  { name: 'bridge', help: 'host bridge to remove', default: 'kubesvc0', metavar: 'NAME' },
  { name: 'force', boolean: true, help: 'remove even while a kubesvc still runs with these namespaces' },
  { name: 'help', boolean: true, help: 'show this help' },
];

export const downUsage = `Usage: kubesvc down [flags]

Removes every network namespace (<prefix>-node-N, <prefix>-pod-UID) and /etc/netns directory
that \`kubesvc up --network netns\` created, ending any pod process still running in them
(after a crash), and the host bridge kubesvc0 with its node links and routes — only those —
then a crashed run's lock files and layout record under /run/kubesvc.
It refuses while a kubesvc still runs with them (stop that one first, or pass --force).
Needs root.

Flags:
${flagHelp(specs)}
`;

export interface DownDeps {
  runner?: NetRunner;
  files?: NetFiles;
  etcNetns?: string;
  out?: (s: string) => void;
  err?: (s: string) => void;
  /** Who holds netns mode's locks (default: the lock files under /run/kubesvc). */
  holders?: (prefix: string) => LockHolder[];
  /** Removes stale lock files and the layout record (default: under /run/kubesvc). */
  clearLocks?: (prefix: string) => string[];
}

export async function down(argv: string[], deps: DownDeps = {}): Promise<number> {
  const out = deps.out ?? ((s: string) => void process.stdout.write(s));
  const err = deps.err ?? ((s: string) => void process.stderr.write(s));
  const flags = parseFlags(argv, specs);
  if (flags.bools.has('help')) {
    out(downUsage);
    return 0;
  }
  if (flags.positional.length) throw new UsageError(`down takes no arguments, got ${flags.positional.join(' ')}`);
  const prefix = flags.values.get('prefix') ?? 'kubesvc';
  const running = (deps.holders ?? netnsHolders)(prefix);
  if (running.length && !flags.bools.has('force')) {
    const h = running[0]!;
    err(
      `kubesvc down: kubesvc (pid ${h.pid}) is running with ${h.what === 'this network namespace' ? `this network namespace (namespaces ${h.prefix}-node-*)` : h.what}; ` +
        `stop it (Ctrl-C, or kill ${h.pid}) — a clean stop removes everything itself — or pass --force\n`,
    );
    return 1;
  }
  let removed: string[];
  try {
    removed = await teardownAll(deps.runner ?? defaultRunner, {
      prefix,
      linkPrefix: flags.values.get('link-prefix') ?? 'ks',
      bridge: flags.values.get('bridge') ?? 'kubesvc0',
      ...(deps.files ? { files: deps.files } : {}),
      ...(deps.etcNetns ? { etcNetns: deps.etcNetns } : {}),
    });
  } catch (e) {
    err(`kubesvc down: ${(e as Error).message}\n`);
    return 1;
  }
  // A crashed kubesvc also left its lock files; a later `up` would take them over anyway.
  for (const file of (deps.clearLocks ?? clearStaleLocks)(prefix)) removed.push(`${file.endsWith('.layout.json') ? 'record' : 'lock'} ${file}`);
  if (removed.length === 0) {
    out('nothing to remove: no kubesvc namespaces, links or /etc/netns entries\n');
    return 0;
  }
  for (const line of removed) out(`${line.startsWith('process ') ? 'killed' : 'removed'} ${line}\n`);
  const count = (kind: string) => removed.filter((l) => l.startsWith(kind + ' ')).length;
  out(`kubesvc down: ${count('process') ? `${count('process')} leftover processes killed, ` : ''}${count('netns')} namespaces, ${count('link')} links, ${count('route')} routes, ${count('dir')} /etc/netns dirs removed\n`);
  return 0;
}
