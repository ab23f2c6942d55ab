// The kubelet's Summary API from /proc: a container's CPU rate (usageNanoCores) between two
// readings and its memory, for a real process that keeps one core busy.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { SummaryProvider } from '../../src/node/kubelet/stats.js';
import type { Pod } from '../../src/api/core.js';

const busy = spawn(process.execPath, ['-e', 'const end = Date.now() + 20000; while (Date.now() < end) {}'], { stdio: 'ignore' });
after(() => busy.kill('SIGKILL'));

interface Stats {
  cpu: { usageNanoCores?: number; usageCoreNanoSeconds: number };
  memory: { workingSetBytes: number };
}

it('reports a busy container at about one core, in nanocores, and its working set below its RSS', async () => {
  const pod = { metadata: { name: 'busy', namespace: 'default', uid: 'u1' }, spec: { containers: [] } } as unknown as Pod;
  const p = new SummaryProvider('n1');
  const read = () => p.summary([{ pod, containers: [{ name: 'spin', pid: busy.pid!, startedAt: new Date() }] }]) as { node: Stats; pods: { containers: Stats[]; cpu: Stats['cpu'] }[] };
  const first = read();
  assert.equal(first.pods[0]!.containers[0]!.cpu.usageNanoCores, undefined, 'no rate from one reading');
  await new Promise((r) => setTimeout(r, 600));
  const second = read();
  const c = second.pods[0]!.containers[0]!;
  // One core flat out is 1e9 nanocores; on a shared 2-core machine it gets less, never more.
  assert.ok(c.cpu.usageNanoCores! > 0.15e9 && c.cpu.usageNanoCores! < 1.3e9, `usageNanoCores ${c.cpu.usageNanoCores}`);
  assert.equal(second.pods[0]!.cpu.usageNanoCores, c.cpu.usageNanoCores, 'a one-container pod uses what its container does');
  // The working set is the proportional set size: the process's own pages and its share of the
  // Node binary's, less than its resident set, which counts every shared page in full.
  const m = c.memory as Stats['memory'] & { rssBytes: number };
  assert.ok(m.workingSetBytes > 2 << 20 && m.workingSetBytes < m.rssBytes, `workingSetBytes ${m.workingSetBytes}, rssBytes ${m.rssBytes}`);
  // The node counts every CPU: at least the busy process, at most all of them.
  const cores = (await import('node:os')).cpus().length;
  assert.ok(second.node.cpu.usageNanoCores! >= c.cpu.usageNanoCores! * 0.5 && second.node.cpu.usageNanoCores! <= cores * 1.1e9, `node ${second.node.cpu.usageNanoCores}`);
});
