import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeRunner, FakeFiles } from './fake.js';
import { netnsEnv, nodeNet, createPodNetwork, deletePodNetwork, ipCommand } from '../../../src/node/network/index.js';

const UID = '1A2B3C4D-5e6f-7a8b-9c0d-111122223333';

describe('netns pod network (fake runner)', () => {
  it('createPodNetwork: namespace, resolv.conf, veth on cni0 with hairpin, address and default route', async () => {
    const r = new FakeRunner((l) => (l === 'ip netns list' ? { stdout: 'kubesvc-node-1\n' } : undefined));
    const files = new FakeFiles();
    const node = nodeNet(1, netnsEnv({ runner: r, files }));
    const conf = 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n';
    const pod = await createPodNetwork(node, UID, '10.244.1.5', conf);
    const N = '[kubesvc-node-1] ';
    const P = '[kubesvc-pod-1a2b3c4d5e6f7a8b9c0d111122223333] ';
    assert.deepEqual(r.calls, [
      'ip netns list',
      'ip netns add kubesvc-pod-1a2b3c4d5e6f7a8b9c0d111122223333',
      N + 'ip link add veth1a2b3c4d5e6 type veth peer name eth0 netns kubesvc-pod-1a2b3c4d5e6f7a8b9c0d111122223333',
      N + 'ip link set veth1a2b3c4d5e6 master cni0',
      N + 'ip link set veth1a2b3c4d5e6 type bridge_slave hairpin on',
      N + 'ip link set veth1a2b3c4d5e6 up',
      P + 'ip link set lo up',
      P + 'ip addr replace 10.244.1.5/24 dev eth0',
      P + 'ip link set eth0 up',
      P + 'ip route replace default via 10.244.1.1 dev eth0',
    ]);
    assert.deepEqual([...files.written], [['/etc/netns/kubesvc-pod-1a2b3c4d5e6f7a8b9c0d111122223333/resolv.conf', conf]]);
    assert.equal(pod.namespace, 'kubesvc-pod-1a2b3c4d5e6f7a8b9c0d111122223333');
    assert.equal(pod.hostVeth, 'veth1a2b3c4d5e6');
    assert.deepEqual(pod.exec, [ipCommand(), 'netns', 'exec', 'kubesvc-pod-1a2b3c4d5e6f7a8b9c0d111122223333']);
  });

  it('createPodNetwork in a namespace an earlier run left: keeps the pod\'s IP and drops any other address', async () => {
    const NS = 'kubesvc-pod-1a2b3c4d5e6f7a8b9c0d111122223333';
    const shown = `2: eth0    inet 10.244.1.9/24 brd 10.244.1.255 scope global eth0\\       valid_lft forever preferred_lft forever
2: eth0    inet 10.244.1.5/24 brd 10.244.1.255 scope global secondary eth0\\       valid_lft forever preferred_lft forever
`;
    const r = new FakeRunner((l) => (l === 'ip netns list' ? { stdout: `kubesvc-node-1\n${NS} (id: 3)\n` } : l === `[${NS}] ip -4 -o addr show dev eth0` ? { stdout: shown } : undefined));
    await createPodNetwork(nodeNet(1, netnsEnv({ runner: r, files: new FakeFiles() })), UID, '10.244.1.5', '');
    assert.ok(!r.calls.includes(`ip netns add ${NS}`), 'the namespace is kept');
    const P = `[${NS}] `;
    assert.deepEqual(r.calls.filter((l) => l.startsWith(P + 'ip addr') || l.startsWith(P + 'ip -4')), [
      P + 'ip addr replace 10.244.1.5/24 dev eth0',
      P + 'ip -4 -o addr show dev eth0',
      P + 'ip addr del 10.244.1.9/24 dev eth0',
    ]);
  });

  it('refuses an IP outside the node pod CIDR, the network, gateway and broadcast addresses', async () => {
    const node = nodeNet(1, netnsEnv({ runner: new FakeRunner(), files: new FakeFiles() }));
    for (const ip of ['10.244.2.5', '10.244.1.0', '10.244.1.1', '10.244.1.255', '10.244.10.5', 'x']) {
      await assert.rejects(createPodNetwork(node, UID, ip, ''), /not a usable address/, ip);
    }
  });

  it('deletePodNetwork removes the veth, namespace and /etc/netns dir, tolerating absent ones', async () => {
    const r = new FakeRunner((l) => (l.includes('link del') ? { code: 1, stderr: 'Cannot find device "veth1a2b3c4d5e6"' } : undefined));
    const files = new FakeFiles();
    await deletePodNetwork(nodeNet(1, netnsEnv({ runner: r, files })), UID);
    assert.deepEqual(r.calls, ['[kubesvc-node-1] ip link del veth1a2b3c4d5e6', 'ip netns del kubesvc-pod-1a2b3c4d5e6f7a8b9c0d111122223333']);
    assert.deepEqual(files.removed, ['/etc/netns/kubesvc-pod-1a2b3c4d5e6f7a8b9c0d111122223333']);
  });

  it('two pods whose UIDs share their first 8 hex characters get namespaces and veths of their own', async () => {
    const r = new FakeRunner((l) => (l === 'ip netns list' ? { stdout: 'kubesvc-node-1\n' } : undefined));
    const node = nodeNet(1, netnsEnv({ runner: r, files: new FakeFiles() }));
    const a = await createPodNetwork(node, '1a2b3c4d-aaaa-4000-8000-000000000001', '10.244.1.5', '');
    const b = await createPodNetwork(node, '1a2b3c4d-bbbb-4000-8000-000000000002', '10.244.1.6', '');
    assert.equal(a.namespace, 'kubesvc-pod-1a2b3c4daaaa40008000000000000001');
    assert.equal(b.namespace, 'kubesvc-pod-1a2b3c4dbbbb40008000000000000002');
    assert.equal(a.hostVeth, 'veth1a2b3c4daaa');
    assert.equal(b.hostVeth, 'veth1a2b3c4dbbb');
    // Linux interface names are at most 15 bytes.
    for (const name of [a.hostVeth, b.hostVeth]) assert.ok(name.length <= 15, name);
    assert.ok(r.calls.includes('ip netns add kubesvc-pod-1a2b3c4dbbbb40008000000000000002'), 'the second pod got its own namespace');
  });
});
