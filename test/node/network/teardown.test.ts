import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner, FakeFiles } from './fake.js';
import { teardownAll, parseLinkNames, netnsEnv } from '../../../src/node/network/index.js';
import { ownNamespace } from '../../../src/node/network/config.js';
import { down } from '../../../src/cli/down.js';

const LINKS = `1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00
4: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1400 qdisc pfifo_fast state UP mode DEFAULT group default qlen 1000\\    link/ether 02:fc:00:00:00:01 brd ff:ff:ff:ff:ff:ff
7: kubesvc0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/ether 1a:2b brd ff:ff:ff:ff:ff:ff
9: ksn0@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master kubesvc0 state UP\\    link/ether 1a:2c brd ff:ff:ff:ff:ff:ff link-netns kubesvc-node-0
10: ksnx@if2: <BROADCAST> mtu 1500
11: kubesvc01: <BROADCAST> mtu 1500
12: ksn10@if2: <BROADCAST> mtu 1500
`;
const ROUTES = `default via 192.0.2.1 dev eth0
192.0.2.0/24 dev eth0 proto kernel scope link src 192.0.2.2
172.30.0.0/24 dev kubesvc0 proto kernel scope link src 172.30.0.1
172.31.0.0/24 dev kubesvc01 proto kernel scope link src 172.31.0.1
`;
const NETNS = 'kubesvc-pod-1a2b3c4d (id: 2)\nkubesvc-node-0 (id: 1)\nkubesvc-node-x\nkubesvc-pod-\nmy-kubesvc-node-1\nksvt1-node-0\n';

function cluster(): FakeRunner {
  return new FakeRunner((l) => {
    if (l === 'ip netns list') return { stdout: NETNS };
    if (l === 'ip -o link show') return { stdout: LINKS };
    if (l === 'ip route show') return { stdout: ROUTES };
    // A pod's processes outlived a crashed kubesvc.
    if (l === 'ip netns pids kubesvc-pod-1a2b3c4d') return { stdout: '4242\n4243\n' };
    if (l === 'ip link del ksn0') return { code: 1, stderr: 'Cannot find device "ksn0"' };
    return undefined;
  });
}

describe('teardownAll (fake runner)', () => {
  it('parses link names without the @peer suffix', () => {
    assert.deepEqual(parseLinkNames(LINKS), ['lo', 'eth0', 'kubesvc0', 'ksn0', 'ksnx', 'kubesvc01', 'ksn10']);
  });

  it('removes exactly kubesvc names: pods, then nodes, our links (bridge last), /etc/netns dirs', async () => {
    const r = cluster();
    const files = new FakeFiles(['kubesvc-pod-1a2b3c4d', 'kubesvc-pod-zz', 'someone-else', 'kubesvc-node-0x']);
    const removed = await teardownAll(r, { files });
    assert.deepEqual(r.calls, [
      'ip netns list',
      'ip -o link show',
      'ip route show',
      'ip netns pids kubesvc-pod-1a2b3c4d',
      'kill -KILL 4242 4243',
      'ip netns del kubesvc-pod-1a2b3c4d',
      'ip netns pids kubesvc-node-0',
      'ip netns del kubesvc-node-0',
      'ip link del ksn0',
      'ip link del ksn10',
      'ip link del kubesvc0',
    ]);
    assert.deepEqual(files.removed, ['/etc/netns/kubesvc-pod-1a2b3c4d', '/etc/netns/kubesvc-pod-zz']);
    assert.deepEqual(removed, [
      'process 4242 (in kubesvc-pod-1a2b3c4d)',
      'process 4243 (in kubesvc-pod-1a2b3c4d)',
      'netns kubesvc-pod-1a2b3c4d',
      'netns kubesvc-node-0',
      'route 172.30.0.0/24 dev kubesvc0 proto kernel scope link src 172.30.0.1',
      'link ksn0',
      'link ksn10',
      'link kubesvc0',
      'dir /etc/netns/kubesvc-pod-1a2b3c4d',
      'dir /etc/netns/kubesvc-pod-zz',
    ]);
  });

  it("recognises pod namespaces named by the whole UID and by older versions' 8 characters", () => {
    const env = netnsEnv();
    assert.equal(ownNamespace(env, 'kubesvc-pod-1a2b3c4d5e6f7a8b9c0d111122223333'), 'pod');
    assert.equal(ownNamespace(env, 'kubesvc-pod-1a2b3c4d'), 'pod');
    assert.equal(ownNamespace(env, 'kubesvc-pod-1a2b3c4d5e6f7a8b9c0d1111222233334'), undefined);
    assert.equal(ownNamespace(env, 'kubesvc-pod-'), undefined);
    assert.equal(ownNamespace(env, 'kubesvc-pod-1A2B'), undefined);
  });

  it('a test prefix touches only its own names', async () => {
    const r = cluster();
    const removed = await teardownAll(r, { prefix: 'ksvt1', linkPrefix: 'kt1', bridge: 'kt1br', files: new FakeFiles() });
    assert.deepEqual(removed, ['netns ksvt1-node-0']);
  });

  it('nothing there: nothing removed and no deletions run', async () => {
    const r = new FakeRunner((l) => (l === 'ip -o link show' ? { stdout: '1: lo: <LOOPBACK>\n' } : undefined));
    assert.deepEqual(await teardownAll(r, { files: new FakeFiles() }), []);
    assert.deepEqual(r.calls, ['ip netns list', 'ip -o link show', 'ip route show']);
  });
});

describe('kubesvc down', () => {
  it('prints what it removed and a summary', async () => {
    let out = '';
    const code = await down([], { holders: () => [], clearLocks: () => [], runner: cluster(), files: new FakeFiles(['kubesvc-pod-1a2b3c4d']), out: (s) => (out += s) });
    assert.equal(code, 0);
    assert.match(out, /^removed netns kubesvc-pod-1a2b3c4d$/m);
    assert.match(out, /^removed link kubesvc0$/m);
    assert.match(out, /killed process 4242 \(in kubesvc-pod-1a2b3c4d\)\n[^]*kubesvc down: 2 leftover processes killed, 2 namespaces, 3 links, 1 routes, 1 \/etc\/netns dirs removed/);
  });

  it('exits 0 when nothing is there', async () => {
    let out = '';
    const code = await down([], { holders: () => [], clearLocks: () => [], runner: new FakeRunner(), files: new FakeFiles(), out: (s) => (out += s) });
    assert.equal(code, 0);
    assert.match(out, /nothing to remove/);
  });

  it('exits 1 with the failing command when a deletion fails', async () => {
    let err = '';
    const r = new FakeRunner((l) => {
      if (l === 'ip netns list') return { stdout: 'kubesvc-node-0\n' };
      if (l === 'ip netns del kubesvc-node-0') return { code: 1, stderr: 'Permission denied' };
      return undefined;
    });
    const code = await down([], { holders: () => [], clearLocks: () => [], runner: r, files: new FakeFiles(), out: () => {}, err: (s) => (err += s) });
    assert.equal(code, 1);
    assert.match(err, /ip netns del kubesvc-node-0 exited 1: Permission denied/);
  });

  it('--prefix selects another set of names; --help prints usage', async () => {
    let out = '';
    await down(['--prefix', 'ksvt1', '--link-prefix', 'kt1', '--bridge', 'kt1br'], { holders: () => [], clearLocks: () => [], runner: cluster(), files: new FakeFiles(), out: (s) => (out += s) });
    assert.match(out, /removed netns ksvt1-node-0/);
    assert.doesNotMatch(out, /kubesvc-node-0/);
    out = '';
    assert.equal(await down(['--help'], { out: (s) => (out += s) }), 0);
    assert.match(out, /Usage: kubesvc down/);
  });
});
