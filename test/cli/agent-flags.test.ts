// `kubesvc agent`'s flags that need no cluster to check: each mistake is exit 2 with a sentence
// saying what to do, before anything is contacted or written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { kubesvcBin } from '../e2e/harness.js';

const agent = (args: string[]) => spawnSync(process.execPath, [kubesvcBin, 'agent', '--server', 'https://127.0.0.1:1', '--token', 'abcdef.0123456789abcdef', ...args], { encoding: 'utf8', timeout: 20_000 });

test('bad agent flags are refused with what to do', () => {
  const dataDir = `/tmp/kubesvc-agent-flags-${process.pid}`;
  const cases: [string[], RegExp][] = [
    [['--network', 'bridge'], /--network must be loopback or netns, not "bridge"/],
    [['--network', 'netns', '--node-name', 'worker-1'], /--network netns: --node-name must be a node namespace of `up`, kubesvc-node-<n>, not "worker-1"/],
    [['--network', 'netns', '--netns-prefix', 'lab', '--node-name', 'kubesvc-node-1'], /lab-node-<n>, not "kubesvc-node-1"/],
    [['--network', 'netns', '--node-name', 'kubesvc-node-1', '--cluster-cidr', '10.244.0.0/24'], /podCIDR must be an IPv4 \/16/],
    [['--network', 'netns', '--node-name', 'kubesvc-node-2', '--node-ip', '172.30.0.99'], /--node-ip: node kubesvc-node-2's address in netns mode is 172\.30\.0\.12/],
    [['--network', 'netns', '--node-name', 'kubesvc-node-2', '--pod-cidr', '10.244.9.0/24'], /--pod-cidr: node kubesvc-node-2's pods in netns mode are in 10\.244\.2\.0\/24/],
    [['--insecure-registry', 'http://x'], /--insecure-registry takes HOST or HOST:PORT/],
    [['--registry-mirror', 'not a url'], /--registry-mirror takes a URL/],
    [['--node-ip', 'nope'], /--node-ip must be an IPv4 address, not "nope"/],
  ];
  for (const [args, message] of cases) {
    const r = agent([...args, '--data-dir', dataDir]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
  assert.ok(!existsSync(dataDir), 'nothing written');
});
