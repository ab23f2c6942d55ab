// What the pod and adoption tests check from outside kubesvc: a pod's processes, found as a user
// with `ps` would (the same ones run before a kill -9 of kubesvc, while it is down, and after), and
// its log across the kill.
import assert from 'node:assert/strict';
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

/**
 * An adopted container's log (`kubectl logs`) has the netexec requests from before the kill
 * (`msg=before-kill`), while kubesvc was down (`msg=while-down-<i>`, 0..2) and after the restart
 * (`msg=after-restart`), in that order and none twice: the log goes on where it stopped.
 */
export function assertLogGoesOn(logs: string): void {
  const order = ['msg=before-kill', 'msg=while-down-0', 'msg=while-down-2', 'msg=after-restart'].map((m) => logs.indexOf(m));
  assert.ok(order.every((i) => i >= 0), `every line is in the log:\n${logs}`);
  assert.deepEqual([...order].sort((a, b) => a - b), order, `in order:\n${logs}`);
  assert.equal(logs.split('\n').filter((l) => l.includes('msg=while-down-0')).length, 1, 'no line twice');
}
