// Which kubesvc clusters run on this machine, and with which addresses. Loopback mode puts every
// ClusterIP, pod IP, LoadBalancer IP and the DNS address in 127.0.0.0/8, which all clusters in a
// network namespace share; nothing on the wire tells one cluster's addresses from another's. So
// each running `up` leaves a small record here, and a second `up` reads them to pick ranges and
// ports of its own (or to refuse, naming the holder, when the user asked for taken ones).
//
// The directory is shared by every user (loopback is), sticky like /tmp: a record is advice, never
// trusted beyond "avoid these addresses"; records of dead processes are ignored.
import { chmodSync, closeSync, constants, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { processAlive, procStartTime } from '../util/process-alive.js';

export const registryDir = join(tmpdir(), 'kubesvc-clusters');

/** What a running cluster holds. */
export interface ClusterRecord {
  pid: number;
  /** procStartTime of pid, to tell a reused PID apart. */
  start: string;
  dataDir: string;
  /** The network namespace (inode) its addresses live in. */
  netns: string;
  serviceCIDR: string;
  podCIDR: string;
  lbPool: string;
  apiPort: number;
  proxyMetricsPort: number;
  proxyHealthzPort: number;
}

export function currentNetns(): string {
  try {
    return /\[(\d+)\]/.exec(readlinkSync('/proc/self/ns/net'))?.[1] ?? 'default';
  } catch {
    return 'default';
  }
}

function ensureDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o1777 });
    const st = statSync(dir);
    // Whoever made it first makes it world-writable and sticky; others only add their own records.
    if (st.uid === process.getuid?.() && (st.mode & 0o7777) !== 0o1777) chmodSync(dir, 0o1777);
    return true;
  } catch {
    return false;
  }
}

function parseRecord(text: string): ClusterRecord | undefined {
  try {
    const r = JSON.parse(text) as Partial<ClusterRecord>;
    if (typeof r.pid !== 'number' || typeof r.dataDir !== 'string' || typeof r.serviceCIDR !== 'string' || typeof r.podCIDR !== 'string' || typeof r.lbPool !== 'string') return undefined;
    return r as ClusterRecord;
  } catch {
    return undefined;
  }
}

/** Live clusters in this network namespace, other than this process. */
export function runningClusters(dir = registryDir): ClusterRecord[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  const netns = currentNetns();
  const out: ClusterRecord[] = [];
  for (const name of names.slice(0, 10_000)) {
    let rec: ClusterRecord | undefined;
    try {
      rec = parseRecord(readFileSync(join(dir, name), 'utf8'));
    } catch {
      continue;
    }
    if (!rec) continue;
    const alive = processAlive(rec.pid) && (!rec.start || procStartTime(rec.pid) === rec.start);
    if (!alive) {
      // A crashed cluster's record; only its owner (or root) may remove it from the sticky dir.
      try {
        rmSync(join(dir, name), { force: true });
      } catch {
        /* someone else's */
      }
      continue;
    }
    if (rec.pid === process.pid || rec.netns !== netns) continue;
    out.push(rec);
  }
  return out;
}

/**
 * Runs `fn` while holding the registry's lock, so two `up`s starting together do not both pick
 * the same free ranges. A lock whose holder died is taken over; waits at most ~3 s, then goes on.
 */
export async function withRegistryLock<T>(fn: () => Promise<T> | T, dir = registryDir): Promise<T> {
  if (!ensureDir(dir)) return fn();
  const file = join(dir, 'lock');
  let held = false;
  for (let i = 0; i < 150 && !held; i++) {
    try {
      const fd = openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
      writeSync(fd, `${process.pid} ${procStartTime(process.pid) ?? ''}\n`);
      closeSync(fd);
      held = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') break;
      const [pid, start] = (() => {
        try {
          return readFileSync(file, 'utf8').trim().split(/\s+/);
        } catch {
          return [];
        }
      })();
      // An empty file is a lock being written right now, unless it has been empty for seconds.
      const written = Number(pid) > 0;
      const alive = written ? processAlive(Number(pid)) && (!start || procStartTime(Number(pid)) === start) : ageMs(file) < 2_000;
      if (!alive) rmSync(file, { force: true });
      else await new Promise((r) => setTimeout(r, 20));
    }
  }
  try {
    return await fn();
  } finally {
    if (held) rmSync(file, { force: true });
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** Records this cluster; returns the removal. Without a usable directory it records nothing. */
export function registerCluster(rec: Omit<ClusterRecord, 'pid' | 'start' | 'netns'>, dir = registryDir): () => void {
  if (!ensureDir(dir)) return () => {};
  const file = join(dir, `${process.pid}.json`);
  const full: ClusterRecord = { pid: process.pid, start: procStartTime(process.pid) ?? '', netns: currentNetns(), ...rec };
  try {
    rmSync(file, { force: true });
    // O_EXCL: never write through a symlink someone left under our name.
    const fd = openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o644);
    writeSync(fd, JSON.stringify(full) + '\n');
    closeSync(fd);
  } catch {
    return () => {};
  }
  return () => rmSync(file, { force: true });
}
