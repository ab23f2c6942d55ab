import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner, FakeFiles } from './fake.js';
import { netnsEnv, ensureHostBridge, createNode, deleteNode, nodeNet, ipCommand } from '../../../src/node/network/index.js';

describe('netns host bridge and nodes (fake runner)', () => {
  it('ensureHostBridge creates kubesvc0 with 172.30.0.1/24 when missing', async () => {
    const r = new FakeRunner((l) => (l === 'ip link show dev kubesvc0' ? { code: 1, stderr: 'Device "kubesvc0" does not exist.' } : undefined));
    await ensureHostBridge(netnsEnv({ runner: r }));
    assert.deepEqual(r.calls, [
      'ip link show dev kubesvc0',
      'ip link add kubesvc0 type bridge',
      'ip addr replace 172.30.0.1/24 dev kubesvc0',
      'ip link set kubesvc0 up',
    ]);
  });

  it('ensureHostBridge leaves an existing bridge and only re-asserts address and state', async () => {
    const r = new FakeRunner();
    await ensureHostBridge(netnsEnv({ runner: r }));
    assert.deepEqual(r.calls, ['ip link show dev kubesvc0', 'ip addr replace 172.30.0.1/24 dev kubesvc0', 'ip link set kubesvc0 up']);
  });

  it('createNode lays out node 1 like the CNI bridge plugin, with host-gw routes to existing node 0', async () => {
    const r = new FakeRunner((l) => (l === 'ip netns list' ? { stdout: 'kubesvc-pod-abcdef12 (id: 3)\nkubesvc-node-0 (id: 1)\nother\n' } : undefined));
    const node = await createNode(1, netnsEnv({ runner: r, files: new FakeFiles() }));
    const N = '[kubesvc-node-1] ';
    assert.deepEqual(r.calls, [
      'ip netns list',
      'ip netns add kubesvc-node-1',
      'ip link add ksn1 type veth peer name eth0 netns kubesvc-node-1',
      'ip link set ksn1 master kubesvc0',
      'ip link set ksn1 up',
      N + 'ip link set lo up',
      N + 'ip addr replace 172.30.0.11/24 dev eth0',
      N + 'ip link set eth0 up',
      N + 'sysctl -w net.ipv4.ip_forward=1',
      N + 'sysctl -w net.bridge.bridge-nf-call-iptables=1',
      N + 'ip link add cni0 type bridge',
      N + 'ip addr replace 10.244.1.1/24 dev cni0',
      N + 'ip link set cni0 up',
      N + 'ip route replace 10.96.0.0/12 dev eth0 src 172.30.0.11',
      N + 'ip route replace 10.244.0.0/24 via 172.30.0.10 dev eth0',
      '[kubesvc-node-0] ip route replace 10.244.1.0/24 via 172.30.0.11 dev eth0',
    ]);
    assert.equal(node.namespace, 'kubesvc-node-1');
    assert.equal(node.nodeIP, '172.30.0.11');
    assert.equal(node.podCIDR, '10.244.1.0/24');
    assert.equal(node.gateway, '10.244.1.1');
    assert.equal(node.hostVeth, 'ksn1');
    assert.equal(node.bridgeNfCallIptables, true);
    assert.deepEqual(node.exec, [ipCommand(), 'netns', 'exec', 'kubesvc-node-1']);
  });

  it('createNode is idempotent: an existing namespace, veth and cni0 are kept', async () => {
    const r = new FakeRunner((l) => {
      if (l === 'ip netns list') return { stdout: 'kubesvc-node-2\n' };
      if (l.includes('link add')) return { code: 2, stderr: 'RTNETLINK answers: File exists' };
      return undefined;
    });
    await createNode(2, netnsEnv({ runner: r }));
    assert.ok(!r.calls.includes('ip netns add kubesvc-node-2'));
  });

  it('createNode reports when bridge-nf-call-iptables cannot be set in the namespace', async () => {
    const r = new FakeRunner((l) =>
      l.endsWith('bridge-nf-call-iptables=1') ? { code: 255, stderr: 'sysctl: cannot stat /proc/sys/net/bridge/bridge-nf-call-iptables' } : undefined,
    );
    const node = await createNode(0, netnsEnv({ runner: r }));
    assert.equal(node.bridgeNfCallIptables, false);
  });

  it('createNode fails with the command and its stderr', async () => {
    const r = new FakeRunner((l) => (l === 'ip netns add kubesvc-node-0' ? { code: 1, stderr: 'mount --make-shared /run/netns failed: Operation not permitted' } : undefined));
    await assert.rejects(createNode(0, netnsEnv({ runner: r })), /ip netns add kubesvc-node-0 exited 1: mount --make-shared/);
  });

  it('names follow the configured prefix, link prefix, bridge and subnets', async () => {
    const r = new FakeRunner();
    const env = netnsEnv({ runner: r, prefix: 'ksvt42', linkPrefix: 'kt42', bridge: 'kt42br', nodeCIDR: '172.30.242.0/24', podCIDR: '10.99.0.0/16', serviceCIDR: '10.100.0.0/16' });
    const node = await createNode(3, env);
    assert.equal(node.namespace, 'ksvt42-node-3');
    assert.ok(r.calls.includes('ip link add kt42n3 type veth peer name eth0 netns ksvt42-node-3'));
    assert.ok(r.calls.includes('ip link set kt42n3 master kt42br'));
    assert.ok(r.calls.includes('[ksvt42-node-3] ip addr replace 172.30.242.13/24 dev eth0'));
    assert.ok(r.calls.includes('[ksvt42-node-3] ip addr replace 10.99.3.1/24 dev cni0'));
    assert.ok(r.calls.includes('[ksvt42-node-3] ip route replace 10.100.0.0/16 dev eth0 src 172.30.242.13'));
  });

  it('refuses node numbers outside 0..244 and names too long for the kernel', () => {
    assert.throws(() => nodeNet(245), /0\.\.244/);
    assert.throws(() => nodeNet(-1), /0\.\.244/);
    assert.throws(() => netnsEnv({ linkPrefix: 'averylonglinkprefix' }), /too long/);
    assert.throws(() => netnsEnv({ nodeCIDR: '172.30.0.0/16' }), /nodeCIDR must be an IPv4 \/24/);
  });

  it('deleteNode removes other nodes routes to it, its veth and namespace, tolerating absent ones', async () => {
    const r = new FakeRunner((l) => {
      if (l === 'ip netns list') return { stdout: 'kubesvc-node-0\nkubesvc-node-1\n' };
      if (l === 'ip link del ksn1') return { code: 1, stderr: 'Cannot find device "ksn1"' };
      return undefined;
    });
    await deleteNode(nodeNet(1, netnsEnv({ runner: r })));
    assert.deepEqual(r.calls, ['ip netns list', '[kubesvc-node-0] ip route del 10.244.1.0/24', 'ip link del ksn1', 'ip netns del kubesvc-node-1']);
  });
});
