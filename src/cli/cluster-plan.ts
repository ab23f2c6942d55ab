// Picks the address ranges and well-known ports of a cluster so that a second (third, ...)
// cluster on the same machine just works, as a second kind or minikube cluster does: what the
// user did not set is taken from what this data dir used before, or else from the defaults, or
// else from the first free candidate — and said. What the user set, or what an existing cluster's
// objects already hold addresses from, is never moved: if it collides with a running cluster,
// start-up stops and names that cluster (data dir and pid).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseIPv4CIDR } from '../apiserver/allocators/ipv4.js';
import { parseLBPool, type IPRange } from '../controllers/servicelb/pool.js';
import { UsageError } from './flags.js';
import type { ClusterRecord } from './cluster-registry.js';

export type RangeKind = 'serviceCIDR' | 'podCIDR' | 'lbPool';

export const rangeFlag: Record<RangeKind, string> = { serviceCIDR: 'service-cidr', podCIDR: 'pod-cidr', lbPool: 'lb-pool' };
const rangeWords: Record<RangeKind, string> = { serviceCIDR: 'service CIDR', podCIDR: 'pod CIDR', lbPool: 'LoadBalancer pool' };

export interface Ranges {
  serviceCIDR: string;
  podCIDR: string;
  lbPool: string;
}

export interface Ports {
  apiPort: number;
  proxyMetricsPort: number;
  proxyHealthzPort: number;
}

export type PortKind = keyof Ports;
export const portFlag: Record<PortKind, string> = { apiPort: 'api-port', proxyMetricsPort: 'proxy-metrics-port', proxyHealthzPort: 'proxy-healthz-port' };

/** What the data dir used last time (DIR/address-plan.json). */
export type SavedPlan = Partial<Ranges & Ports>;

export interface PlanInputs {
  defaults: Ranges & Ports;
  /** What the user passed on the command line. */
  set: Partial<Ranges & Ports>;
  saved: SavedPlan | undefined;
  /** True when the data dir already holds a cluster (its objects have addresses from its ranges). */
  existing: boolean;
  others: ClusterRecord[];
  /** Loopback mode: candidates to try, in order, when the default is taken. Empty: never move. */
  candidates: Record<RangeKind, string[]>;
  portFree(port: number): Promise<boolean>;
}

export interface PlanChoice extends Ranges, Ports {
  /** One line per value that is not what the user (or the defaults) would expect, saying why. */
  notes: string[];
}

function rangesOf(kind: RangeKind, text: string): IPRange[] {
  try {
    if (kind === 'lbPool') return parseLBPool(text).ranges;
    const c = parseIPv4CIDR(text);
    return [{ first: c.base, last: c.base + c.size - 1 }];
  } catch {
    // Malformed values are reported by whoever parses them for real.
    return [];
  }
}

function overlaps(a: IPRange[], b: IPRange[]): boolean {
  return a.some((x) => b.some((y) => x.first <= y.last && y.first <= x.last));
}

const kinds: RangeKind[] = ['serviceCIDR', 'podCIDR', 'lbPool'];

/** The running cluster (and which of its ranges) that `text` overlaps, if any. */
function holderOf(kind: RangeKind, text: string, others: ClusterRecord[]): { rec: ClusterRecord; kind: RangeKind } | undefined {
  const mine = rangesOf(kind, text);
  for (const rec of others) for (const k of kinds) if (overlaps(mine, rangesOf(k, rec[k]))) return { rec, kind: k };
  return undefined;
}

export function describeHolder(rec: ClusterRecord): string {
  return `the kubesvc cluster running with data dir ${rec.dataDir} (pid ${rec.pid})`;
}

export async function choosePlan(p: PlanInputs): Promise<PlanChoice> {
  const notes: string[] = [];
  const chosen: Partial<Ranges> = {};
  for (const kind of kinds) {
    const flag = rangeFlag[kind];
    const fixed = p.set[kind] ?? p.saved?.[kind] ?? (p.existing ? p.defaults[kind] : undefined);
    if (fixed !== undefined) {
      const h = holderOf(kind, fixed, p.others);
      if (h) {
        const why = p.set[kind] !== undefined
          ? `--${flag} ${fixed}`
          : `this cluster's ${rangeWords[kind]} ${fixed} (its objects already hold addresses from it; --${flag} moves it)`;
        throw new UsageError(`${why} overlaps the ${rangeWords[h.kind]} ${h.rec[h.kind]} of ${describeHolder(h.rec)}; stop that cluster or pass another --${flag}`);
      }
      chosen[kind] = fixed;
      continue;
    }
    // A fresh cluster: the default, or the first candidate no running cluster (nor this plan) uses.
    const taken = (text: string) =>
      holderOf(kind, text, p.others) !== undefined ||
      kinds.some((k) => chosen[k] !== undefined && overlaps(rangesOf(kind, text), rangesOf(k, chosen[k]!)));
    const pick = [p.defaults[kind], ...p.candidates[kind]].find((c) => !taken(c));
    if (pick === undefined) {
      const h = holderOf(kind, p.defaults[kind], p.others)!;
      throw new UsageError(`the ${rangeWords[kind]} ${p.defaults[kind]} is used by ${describeHolder(h.rec)} and no other candidate is free; pass --${flag}`);
    }
    if (pick !== p.defaults[kind]) {
      const h = holderOf(kind, p.defaults[kind], p.others);
      notes.push(`${rangeWords[kind]} ${pick} (--${flag}): ${p.defaults[kind]} is used by ${h ? describeHolder(h.rec) : 'this cluster'}`);
    }
    chosen[kind] = pick;
  }
  const ports: Partial<Ports> = {};
  for (const kind of ['apiPort', 'proxyMetricsPort', 'proxyHealthzPort'] as PortKind[]) {
    const set = p.set[kind];
    if (set !== undefined) {
      ports[kind] = set;
      continue;
    }
    const saved = kind === 'apiPort' ? p.saved?.apiPort : undefined;
    const wanted = [...(saved !== undefined && saved !== 0 ? [saved] : []), p.defaults[kind]];
    let pick: number | undefined;
    for (const w of wanted) if (await p.portFree(w)) {
      pick = w;
      break;
    }
    if (pick === undefined) {
      const holder = p.others.find((r) => r[kind] === p.defaults[kind]);
      notes.push(`--${portFlag[kind]}: ${p.defaults[kind]} is in use${holder ? ` by ${describeHolder(holder)}` : ''}; a free port is picked`);
      pick = 0;
    }
    ports[kind] = pick;
  }
  return { ...(chosen as Ranges), ...(ports as Ports), notes };
}

/** Loopback mode's candidates, all inside 127.0.0.0/8 and away from 127.0.0.0/16 (127.0.0.1 is the node). */
export function loopbackCandidates(): Record<RangeKind, string[]> {
  const seq = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
  return {
    serviceCIDR: [...seq(97, 99), ...seq(64, 95)].map((b) => `127.${b}.0.0/16`),
    podCIDR: [...seq(245, 254), ...seq(230, 239)].map((b) => `127.${b}.0.0/16`),
    lbPool: seq(1, 255).map((c) => `127.240.${c}.0/24`),
  };
}

/** Is `port` on 127.0.0.1 free right now? */
export function tcpPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ host, port, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

const planFile = (dataDir: string) => join(dataDir, 'address-plan.json');

export function readSavedPlan(dataDir: string): SavedPlan | undefined {
  if (!existsSync(planFile(dataDir))) return undefined;
  try {
    const v = JSON.parse(readFileSync(planFile(dataDir), 'utf8')) as Record<string, unknown>;
    const out: SavedPlan = {};
    for (const k of kinds) if (typeof v[k] === 'string') out[k] = v[k] as string;
    if (typeof v.apiPort === 'number' && Number.isInteger(v.apiPort)) out.apiPort = v.apiPort;
    return out;
  } catch {
    return undefined;
  }
}

/** Remembers the ranges (and the API port the kubeconfig names) for the next start of this data dir. */
export function savePlan(dataDir: string, plan: Ranges & { apiPort: number }): void {
  const tmp = `${planFile(dataDir)}.tmp`;
  const body = { serviceCIDR: plan.serviceCIDR, podCIDR: plan.podCIDR, lbPool: plan.lbPool, apiPort: plan.apiPort };
  writeFileSync(tmp, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, planFile(dataDir));
}
