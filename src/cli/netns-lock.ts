// Who runs netns mode here. Namespace names (/run/netns) are shared by the whole machine, while the
// kubesvc0 bridge and its addresses belong to one network namespace: a second `up` with the same
// prefix, or a second one in the same network namespace, would tear the first one's nodes down as
// "leftovers". So `up` holds two locks — one per prefix, one per network namespace — and `down`
// refuses to pull namespaces out from under a live holder unless forced.
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { processAlive, procStartTime } from '../util/process-alive.js';

export const lockDir = '/run/kubesvc';

export interface LockHolder {
  pid: number;
  prefix: string;
  /** Which lock names it: `prefix <name>` or `this network namespace`. */
  what: string;
}

/** The network namespace this process runs in (its inode number): the one that holds the kubesvc0 bridge. */
export function netnsID(): string {
  return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/net'))?.[1] ?? 'default';
}

function lockFiles(prefix: string, dir: string): { file: string; what: string }[] {
  return [
    { file: `${dir}/prefix-${prefix}.lock`, what: `prefix ${prefix}` },
    { file: `${dir}/netns-${netnsID()}.lock`, what: 'this network namespace' },
  ];
}

/** The live process a lock file names; a dead one, or a PID now used by another process, is none. */
function holderOf(file: string, what: string): LockHolder | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const [pidText, start, prefix] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!pid || !processAlive(pid)) return undefined;
  // After a crash and a reboot-free PID wrap the number may belong to someone else.
  if (start && procStartTime(pid) !== start) return undefined;
  return { pid, prefix: prefix ?? '?', what };
}

/** Live kubesvc processes holding this prefix's or this network namespace's lock (not this process). */
export function netnsHolders(prefix: string, dir = lockDir): LockHolder[] {
  return lockFiles(prefix, dir)
    .map(({ file, what }) => holderOf(file, what))
    .filter((h): h is LockHolder => h !== undefined && h.pid !== process.pid);
}

export class NetnsBusyError extends Error {}

/** Takes both locks or throws NetnsBusyError naming the holder; returns the release. */
export function takeNetnsLocks(prefix: string, dir = lockDir): () => void {
  mkdirSync(dir, { recursive: true });
  const line = `${process.pid} ${procStartTime(process.pid) ?? ''} ${prefix}\n`;
  const taken: string[] = [];
  const release = () => {
    for (const file of taken) {
      try {
        if (readFileSync(file, 'utf8') === line) rmSync(file);
      } catch {
        /* already gone */
      }
    }
  };
  for (const { file, what } of lockFiles(prefix, dir)) {
    // Created exclusively, so two starts at the same moment cannot both win.
    for (let attempt = 0; ; attempt++) {
      try {
        writeFileSync(file, line, { flag: 'wx' });
        taken.push(file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
          release();
          throw e;
        }
        const holder = holderOf(file, what);
        if (holder) {
          release();
          throw new NetnsBusyError(
            `another kubesvc (pid ${holder.pid}) runs --network netns with ${holder.what === 'this network namespace' ? `this network namespace (namespaces ${holder.prefix}-node-*)` : holder.what}: ` +
              'stop it first; netns clusters share the kubesvc0 bridge and its addresses, so one runs at a time',
          );
        }
        rmSync(file, { force: true }); // left by a process that is gone
      }
    }
  }
  return release;
}

/** Where a run records what it built (see netns-layout.ts), next to its prefix's lock. */
export function layoutFile(prefix: string, dir = lockDir): string {
  return `${dir}/prefix-${prefix}.layout.json`;
}

/**
 * Removes this prefix's and this network namespace's lock files when their holder is gone (after a
 * crash), and the prefix's layout record with them; returns the files removed.
 */
export function clearStaleLocks(prefix: string, dir = lockDir): string[] {
  const removed: string[] = [];
  for (const { file, what } of lockFiles(prefix, dir)) {
    if (!existsSync(file) || holderOf(file, what)) continue;
    rmSync(file, { force: true });
    removed.push(file);
  }
  const prefixLock = lockFiles(prefix, dir)[0]!;
  const layout = layoutFile(prefix, dir);
  if (existsSync(layout) && !holderOf(prefixLock.file, prefixLock.what)) {
    rmSync(layout, { force: true });
    removed.push(layout);
  }
  return removed;
}
