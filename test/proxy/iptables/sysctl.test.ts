// route_localnet handling without root: set inside a node's namespace (failing the start when
// that fails), only read on the host, where a 0 turns localhost NodePorts off instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RuleExecutor } from '../../../src/proxy/rules.js';
import { prepareRouteLocalnet } from '../../../src/proxy/iptables/sysctl.js';

function fake(result: { code: number; stdout?: string; stderr?: string }): RuleExecutor & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    async run(argv: string[]) {
      calls.push(argv);
      return { stdout: '', stderr: '', ...result };
    },
  };
}

test('in a netns: writes route_localnet=1 through the executor', async () => {
  const ex = fake({ code: 0 });
  assert.equal(await prepareRouteLocalnet(ex, 'node-a'), true);
  assert.deepEqual(ex.calls, [['sysctl', '-w', 'net.ipv4.conf.all.route_localnet=1']]);
});

test('in a netns: a failing write fails the start', async () => {
  const ex = fake({ code: 255, stderr: 'permission denied' });
  await assert.rejects(prepareRouteLocalnet(ex, 'node-a'), /route_localnet=1 in netns node-a failed.*permission denied/);
});

test('without a netns: only reads; localhost NodePorts follow the current value', async () => {
  const on = fake({ code: 0, stdout: '1\n' });
  assert.equal(await prepareRouteLocalnet(on, undefined), true);
  assert.deepEqual(on.calls, [['sysctl', '-n', 'net.ipv4.conf.all.route_localnet']]);
  const off = fake({ code: 0, stdout: '0\n' });
  assert.equal(await prepareRouteLocalnet(off, undefined), false);
  const broken: RuleExecutor = { run: () => Promise.reject(new Error('spawn sysctl ENOENT')) };
  assert.equal(await prepareRouteLocalnet(broken, undefined), false);
  assert.ok([...on.calls, ...off.calls].every((argv) => !argv.includes('-w')), 'never writes on the host');
});
