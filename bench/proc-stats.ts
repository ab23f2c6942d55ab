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

/** CPU time (user + system) a process has used so far, in milliseconds; NaN when it is gone. */
export function cpuMs(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces) start at state; utime and stime are the 12th and 13th of them.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(rest[11]) + Number(rest[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return NaN;
  }
}
