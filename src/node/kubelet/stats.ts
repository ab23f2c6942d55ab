// GET /stats/summary: the kubelet's Summary API (stats/v1alpha1) — CPU and memory of the node,
// of each pod and of each container, from /proc (each container is its root process and every
// process below it; its working set is their proportional set size, its RSS their resident
// pages). usageNanoCores needs two readings: it is the rate since this server's previous reading
// of the same process tree, absent on the first.
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import type { Pod } from '../../api/core.js';

/** A running container's root process, as the node's runtime knows it. */
export interface ContainerProcess {
  name: string;
  pid: number;
  startedAt: Date;
}

export interface PodProcesses {
  pod: Pod;
  containers: ContainerProcess[];
}

interface CPUStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds: number;
}
interface MemoryStats {
  time: string;
  usageBytes: number;
  workingSetBytes: number;
  rssBytes: number;
  availableBytes?: number;
}

const TICK_NS = 1e9 / 100; // USER_HZ is 100 on Linux
const PAGE = 4096;

interface ProcSample {
  ppid: number;
  cpuNs: number;
  rssBytes: number;
}

/** Every process's parent, CPU time and resident memory, read once per summary. */
function readProcs(): Map<number, ProcSample> {
  const out = new Map<number, ProcSample>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields start after the last ')'.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(e), { ppid: Number(f[1]), cpuNs: (Number(f[11]) + Number(f[12])) * TICK_NS, rssBytes: Number(f[21]) * PAGE });
    } catch {
      // ended while we read
    }
  }
  return out;
}

/**
 * A process's proportional set size: its private pages and its share of pages it shares (the Node
 * binary, mapped by every built-in image's pod). RSS counts those in full for every pod; a
 * container's working set under a cgroup is charged them once. undefined when /proc will not say.
 */
function pssBytes(pid: number): number | undefined {
  try {
    const m = /^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

function subtree(root: number, procs: Map<number, ProcSample>, children: Map<number, number[]>): { cpuNs: number; rssBytes: number; workingSetBytes: number } {
  let cpuNs = 0;
  let rssBytes = 0;
  let workingSetBytes = 0;
  const todo = [root];
  const seen = new Set<number>();
  while (todo.length) {
    const pid = todo.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const p = procs.get(pid);
    if (!p) continue;
    cpuNs += p.cpuNs;
    rssBytes += p.rssBytes;
    workingSetBytes += pssBytes(pid) ?? p.rssBytes;
    todo.push(...(children.get(pid) ?? []));
  }
  return { cpuNs, rssBytes, workingSetBytes };
}

export class SummaryProvider {
  /** Previous CPU reading per container key, for usageNanoCores. */
  private readonly previous = new Map<string, { at: number; cpuNs: number }>();
  private readonly bootTime = new Date(Date.now() - os.uptime() * 1000).toISOString();

  constructor(private readonly nodeName: string) {}

  private cpu(key: string, cpuNs: number, now: number, time: string): CPUStats {
    const prev = this.previous.get(key);
    this.previous.set(key, { at: now, cpuNs });
    const s: CPUStats = { time, usageCoreNanoSeconds: Math.round(cpuNs) };
    if (prev && now > prev.at) s.usageNanoCores = Math.max(0, Math.round(((cpuNs - prev.cpuNs) / (now - prev.at)) * 1e3)); // ns per ms × 1000 = ns per s
    return s;
  }

  summary(pods: PodProcesses[]): Record<string, unknown> {
    const now = Date.now();
    const time = new Date(now).toISOString();
    const procs = readProcs();
    const children = new Map<number, number[]>();
    for (const [pid, p] of procs) {
      const list = children.get(p.ppid);
      if (list) list.push(pid);
      else children.set(p.ppid, [pid]);
    }
    const live = new Set<string>(['node']);
    const podStats = pods.map(({ pod, containers }) => {
      let podCpu = 0;
      let podRss = 0;
      let podWorkingSet = 0;
      const cs = containers.map((c) => {
        const key = `${pod.metadata.uid}/${c.name}/${c.pid}`;
        live.add(key);
        const u = subtree(c.pid, procs, children);
        podCpu += u.cpuNs;
        podRss += u.rssBytes;
        podWorkingSet += u.workingSetBytes;
        const memory: MemoryStats = { time, usageBytes: u.rssBytes, workingSetBytes: u.workingSetBytes, rssBytes: u.rssBytes };
        return { name: c.name, startTime: c.startedAt.toISOString(), cpu: this.cpu(key, u.cpuNs, now, time), memory };
      });
      const podKey = `${pod.metadata.uid}`;
      live.add(podKey);
      return {
        podRef: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
        startTime: pod.status?.startTime ?? pod.metadata.creationTimestamp,
        containers: cs,
        cpu: this.cpu(podKey, podCpu, now, time),
        memory: { time, usageBytes: podRss, workingSetBytes: podWorkingSet, rssBytes: podRss },
      };
    });
    const total = os.totalmem();
    const free = os.freemem();
    const nodeCpuNs = os.cpus().reduce((n, c) => n + (c.times.user + c.times.nice + c.times.sys + c.times.irq) * 1e6, 0);
    for (const k of this.previous.keys()) if (!live.has(k)) this.previous.delete(k);
    return {
      node: {
        nodeName: this.nodeName,
        startTime: this.bootTime,
        cpu: this.cpu('node', nodeCpuNs, now, time),
        memory: { time, availableBytes: free, usageBytes: total - free, workingSetBytes: total - free, rssBytes: total - free },
      },
      pods: podStats,
    };
  }
}
