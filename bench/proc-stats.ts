// Resident memory as the kernel reports it, the figure the benchmarks' memory columns give.
import { readFileSync } from 'node:fs';

/** VmRSS of a process in KiB, or NaN when it is gone (or is a kernel thread). */
export function rssKiB(pid: number | string): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

export function rssMiB(pid: number): number {
  return rssKiB(pid) / 1024;
}
