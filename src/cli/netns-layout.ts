// What a netns-mode run built, written next to its prefix's lock (/run/kubesvc, a tmpfs: a reboot,
// which ends every namespace too, also forgets it). After a crash the next `up` reads it to tell
// whether the namespaces it finds are sandboxes its own node agents can take back — as a restarted
// kubelet with a CNI plugin keeps its pods' sandboxes — or something it must clear: another data
// dir holds other pods' state, another node count or range means other addresses.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { layoutFile, lockDir } from './netns-lock.js';

export interface NetnsLayout {
  prefix: string;
  /** Absolute: the node agents' pid files, IPAM and logs are under it. */
  dataDir: string;
  nodes: number;
  podCIDR: string;
  serviceCIDR: string;
  lbPool: string;
  /** The network namespace kubesvc ran in (netnsID()), which holds the bridge and the host routes. */
  netns: string;
}

const stringFields = ['prefix', 'dataDir', 'podCIDR', 'serviceCIDR', 'lbPool', 'netns'] as const;

/** The record of the prefix's last run; undefined when there is none or it cannot be read as one. */
export function readLayout(prefix: string, dir = lockDir): NetnsLayout | undefined {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(layoutFile(prefix, dir), 'utf8'));
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (!stringFields.every((f) => typeof o[f] === 'string') || !Number.isInteger(o.nodes)) return undefined;
  return {
    prefix: o.prefix as string,
    dataDir: o.dataDir as string,
    nodes: o.nodes as number,
    podCIDR: o.podCIDR as string,
    serviceCIDR: o.serviceCIDR as string,
    lbPool: o.lbPool as string,
    netns: o.netns as string,
  };
}

export function writeLayout(layout: NetnsLayout, dir = lockDir): void {
  const file = layoutFile(layout.prefix, dir);
  mkdirSync(dirname(file), { recursive: true });
  // Whole or not at all: a crash mid-write must not leave half a record the next start misreads.
  writeFileSync(`${file}.tmp`, JSON.stringify(layout) + '\n', { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

export function removeLayout(prefix: string, dir = lockDir): void {
  rmSync(layoutFile(prefix, dir), { force: true });
}

/**
 * Why what the previous run left cannot be kept for this one, in words for the log; undefined when
 * it can (same prefix, network namespace, data dir, node count and ranges).
 */
export function layoutMismatch(prev: NetnsLayout | undefined, want: NetnsLayout): string | undefined {
  if (!prev) return 'it left no record of what it built (an older kubesvc, or the record was removed)';
  if (prev.prefix !== want.prefix) return `its record is of prefix ${prev.prefix}`;
  if (prev.netns !== want.netns) return 'it ran in another network namespace, which holds its bridge';
  if (prev.dataDir !== want.dataDir) return `it kept its pods' state in ${prev.dataDir}, this run uses ${want.dataDir}`;
  if (prev.nodes !== want.nodes) return `it ran ${prev.nodes} node(s), this run ${want.nodes}`;
  const ranges = [
    ['--pod-cidr', prev.podCIDR, want.podCIDR],
    ['--service-cidr', prev.serviceCIDR, want.serviceCIDR],
    ['--lb-pool', prev.lbPool, want.lbPool],
  ] as const;
  for (const [flag, was, is] of ranges) if (was !== is) return `it ran with ${flag} ${was}, this run with ${is}`;
  return undefined;
}
