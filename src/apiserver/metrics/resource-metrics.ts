// The resource metrics behind metrics.k8s.io (what `kubectl top` reads), as metrics-server keeps
// them: each node's kubelet is read (its Summary API, /stats/summary) and the CPU rate is the
// change of the cumulative CPU time between two readings, over the time between them (the
// window). There is no scraping loop: a request finds the last readings, renews them when they
// are older than the resolution, and when none is recent enough to take a rate against, reads
// twice a second apart — so the first `kubectl top` answers, a second later, and an idle
// cluster reads nothing.
import type { Node } from '../../api/core.js';
import type { KubeletClient } from '../kubelet-client.js';
import { logger } from '../../util/log.js';
import { readText } from '../../util/http-text.js';

const log = logger('metrics');

/** metrics-server's default --metric-resolution. */
export const RESOLUTION_MS = 15_000;
/** A rate over a longer window than this says little about now: read a fresh pair instead. */
const MAX_WINDOW_MS = 60_000;
/** The gap between the two readings of a fresh pair. */
const PAIR_GAP_MS = 1_000;
/** A Summary larger than this is not a kubelet's. */
const MAX_SUMMARY_BYTES = 32 << 20;

export interface Usage {
  /** Nanocores. */
  cpu: number;
  /** Working set, bytes. */
  memory: number;
}

interface ContainerReading {
  cpuNs: number;
  memory: number;
}

interface PodReading {
  namespace: string;
  name: string;
  containers: Map<string, ContainerReading>;
}

interface NodeReading {
  /** When the kubelet read /proc (its `time`), ms since the epoch. */
  at: number;
  cpuNs: number;
  memory: number;
  /** By namespace/name/uid: a pod deleted and created again under its name is another pod. */
  pods: Map<string, PodReading>;
}

export interface NodeUsage {
  timestamp: Date;
  windowMs: number;
  usage: Usage;
}

export interface PodUsage {
  timestamp: Date;
  windowMs: number;
  containers: { name: string; usage: Usage }[];
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** One node's Summary as readings; undefined when it is not shaped as a Summary. */
export function readingOf(summary: unknown): NodeReading | undefined {
  const s = summary as { node?: { cpu?: { time?: unknown; usageCoreNanoSeconds?: unknown }; memory?: { workingSetBytes?: unknown } }; pods?: unknown };
  const cpuNs = num(s?.node?.cpu?.usageCoreNanoSeconds);
  const at = typeof s?.node?.cpu?.time === 'string' ? Date.parse(s.node.cpu.time) : NaN;
  if (cpuNs === undefined || !Number.isFinite(at)) return undefined;
  const pods = new Map<string, PodReading>();
  for (const p of Array.isArray(s.pods) ? (s.pods as unknown[]) : []) {
    const pod = p as { podRef?: { name?: unknown; namespace?: unknown; uid?: unknown }; containers?: unknown };
    const ref = pod?.podRef;
    if (typeof ref?.name !== 'string' || typeof ref.namespace !== 'string') continue;
    const containers = new Map<string, ContainerReading>();
    for (const c of Array.isArray(pod.containers) ? (pod.containers as unknown[]) : []) {
      const cs = c as { name?: unknown; cpu?: { usageCoreNanoSeconds?: unknown }; memory?: { workingSetBytes?: unknown } };
      const cpu = num(cs?.cpu?.usageCoreNanoSeconds);
      const memory = num(cs?.memory?.workingSetBytes);
      if (typeof cs?.name !== 'string' || cpu === undefined || memory === undefined) continue;
      containers.set(cs.name, { cpuNs: cpu, memory });
    }
    pods.set(`${ref.namespace}/${ref.name}/${String(ref.uid ?? '')}`, { namespace: ref.namespace, name: ref.name, containers });
  }
  return { at, cpuNs, memory: num(s.node?.memory?.workingSetBytes) ?? 0, pods };
}

/** Nanocores between two cumulative CPU times; undefined when the counter went back (a restarted container). */
function rate(prevNs: number, nowNs: number, windowMs: number): number | undefined {
  if (nowNs < prevNs || windowMs <= 0) return undefined;
  // CPU nanoseconds per millisecond of window, times 1000: nanoseconds per second, i.e. nanocores.
  return Math.round(((nowNs - prevNs) / windowMs) * 1e3);
}

export class ResourceMetrics {
  /** The last two readings of each node, older first. */
  private readonly readings = new Map<string, [NodeReading | undefined, NodeReading]>();
  private lastRead = 0;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly kubelet: KubeletClient,
    private readonly nodes: () => Node[],
    private readonly now: () => number = Date.now,
  ) {}

  /** Brings the readings up to date (see the file's comment); concurrent callers share one round. */
  fresh(): Promise<void> {
    this.reading ??= this.renew().finally(() => (this.reading = undefined));
    return this.reading;
  }

  private async renew(): Promise<void> {
    const age = this.now() - this.lastRead;
    if (age < RESOLUTION_MS) return;
    await this.readAll();
    if (age > MAX_WINDOW_MS) {
      await new Promise((r) => setTimeout(r, PAIR_GAP_MS));
      await this.readAll();
    }
  }

  private async readAll(): Promise<void> {
    const nodes = this.nodes();
    await Promise.all(nodes.map((n) => this.readNode(n)));
    this.lastRead = this.now();
    const names = new Set(nodes.map((n) => n.metadata.name));
    for (const name of this.readings.keys()) if (!names.has(name)) this.readings.delete(name);
  }

  private async readNode(node: Node): Promise<void> {
    const name = node.metadata.name!;
    try {
      const res = await this.kubelet.request(node, 'GET', '/stats/summary', { accept: 'application/json' });
      if (res.statusCode !== 200) {
        res.resume();
        throw new Error(`kubelet answered ${res.statusCode}`);
      }
      const reading = readingOf(JSON.parse(await readText(res, MAX_SUMMARY_BYTES)));
      if (!reading) throw new Error('not a Summary');
      const prev = this.readings.get(name)?.[1];
      // A reading no newer than the last one (two rounds within the kubelet's clock tick) adds nothing.
      if (prev && reading.at <= prev.at) return;
      this.readings.set(name, [prev, reading]);
    } catch (e) {
      // A node that cannot be read has no metrics, as metrics-server leaves it out.
      log.debug(`reading node ${name}: ${(e as Error).message}`);
    }
  }

  /** The node's usage over its last window; undefined without two readings. */
  node(name: string): NodeUsage | undefined {
    const [prev, last] = this.readings.get(name) ?? [];
    if (!prev || !last) return undefined;
    const windowMs = last.at - prev.at;
    const cpu = rate(prev.cpuNs, last.cpuNs, windowMs);
    if (cpu === undefined) return undefined;
    return { timestamp: new Date(last.at), windowMs, usage: { cpu, memory: last.memory } };
  }

  /** Every pod's usage over its node's last window, by namespace/name (pods with every container read twice). */
  pods(): Map<string, PodUsage> {
    const out = new Map<string, PodUsage>();
    for (const [prev, last] of this.readings.values()) {
      if (!prev) continue;
      const windowMs = last.at - prev.at;
      for (const [key, pod] of last.pods) {
        const before = prev.pods.get(key);
        if (!before || pod.containers.size === 0) continue;
        const containers: PodUsage['containers'] = [];
        for (const [name, c] of pod.containers) {
          const b = before.containers.get(name);
          const cpu = b ? rate(b.cpuNs, c.cpuNs, windowMs) : undefined;
          if (cpu === undefined) break;
          containers.push({ name, usage: { cpu, memory: c.memory } });
        }
        // As metrics-server: a pod is reported whole or not at all.
        if (containers.length !== pod.containers.size) continue;
        out.set(`${pod.namespace}/${pod.name}`, { timestamp: new Date(last.at), windowMs, containers });
      }
    }
    return out;
  }
}
