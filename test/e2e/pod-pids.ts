// Finding a pod's processes from outside kubesvc, as a user with `ps` would: the adoption tests
// check that the same processes run before a kill -9 of kubesvc, while it is down, and after.
import { readFileSync, readdirSync } from 'node:fs';

/** PIDs of processes whose environment names this pod (the node agent sets POD_NAME). */
export function pidsOfPod(podName: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const env = readFileSync(`/proc/${d}/environ`, 'utf8').split('\0');
      if (env.includes(`POD_NAME=${podName}`)) out.push(Number(d));
    } catch {
      /* gone, or not ours to read */
    }
  }
  return out.sort((a, b) => a - b);
}

/**
 * The pod's container processes: each leads its own process group (the runtime starts it
 * detached), unlike the short-lived exec probes and hooks the agent runs with the same env.
 */
export function containerPids(podName: string): number[] {
  return pidsOfPod(podName).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pid;
    } catch {
      return false;
    }
  });
}
