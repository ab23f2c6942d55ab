import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Pod } from '../../../src/api/core.js';
import { findIp, ipCommand, netnsEnv, netnsPodNetwork, nodeNet } from '../../../src/node/network/index.js';
import { FakeFiles, FakeRunner } from './fake.js';

const pod = (over: Partial<Pod['spec']> = {}): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web-1', namespace: 'prod', uid: '1a2b3c4d-0000-4000-8000-000000000000' },
  spec: { containers: [{ name: 'c', image: 'x' }], ...over },
});

describe('netns PodNetwork', () => {
  const setup = () => {
    const runner = new FakeRunner();
    const files = new FakeFiles();
    const node = nodeNet(2, netnsEnv({ runner, files }));
    const net = netnsPodNetwork(node, {
      clusterDNS: '10.96.0.10',
      clusterDomain: 'cluster.local',
      hostResolvConf: { nameservers: ['192.0.2.53'], searches: ['corp.example'], options: [] },
    });
    return { runner, files, net };
  };

  it('builds the pod namespace on its node and writes the resolv.conf the kubelet would', async () => {
    const { runner, files, net } = setup();
    assert.equal(net.kind, 'netns');
    await net.setUp(pod(), '10.244.2.7');
    assert.ok(runner.calls.includes('ip netns add kubesvc-pod-1a2b3c4d000040008000000000000000'));
    assert.ok(runner.calls.includes('[kubesvc-pod-1a2b3c4d000040008000000000000000] ip addr replace 10.244.2.7/24 dev eth0'));
    assert.ok(runner.calls.includes('[kubesvc-node-2] ip link set veth1a2b3c4d000 master cni0'));
    assert.equal(
      files.written.get('/etc/netns/kubesvc-pod-1a2b3c4d000040008000000000000000/resolv.conf'),
      'search prod.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 10.96.0.10\noptions ndots:5\n',
    );
    // dnsPolicy Default: the node's resolvers.
    await net.setUp(pod({ dnsPolicy: 'Default' }), '10.244.2.7');
    assert.equal(files.written.get('/etc/netns/kubesvc-pod-1a2b3c4d000040008000000000000000/resolv.conf'), 'search corp.example\nnameserver 192.0.2.53\n');
  });

  it('starts programs in the pod namespace, or the node namespace for hostNetwork pods', () => {
    const { net } = setup();
    assert.deepEqual(net.execPrefix(pod()), [ipCommand(), 'netns', 'exec', 'kubesvc-pod-1a2b3c4d000040008000000000000000']);
    assert.deepEqual(net.execPrefix(pod({ hostNetwork: true })), [ipCommand(), 'netns', 'exec', 'kubesvc-node-2']);
    // The prefix is spawned with the container's env: `ip` must not depend on the pod's PATH.
    assert.ok(isAbsolute(net.execPrefix(pod())[0]!), net.execPrefix(pod())[0]);
  });

  it('tears down the veth, the namespace and its /etc/netns dir', async () => {
    const { runner, files, net } = setup();
    await net.tearDown('1a2b3c4d-0000-4000-8000-000000000000');
    assert.deepEqual(runner.calls, ['[kubesvc-node-2] ip link del veth1a2b3c4d000', 'ip netns del kubesvc-pod-1a2b3c4d000040008000000000000000']);
    assert.deepEqual(files.removed, ['/etc/netns/kubesvc-pod-1a2b3c4d000040008000000000000000']);
  });
});

describe('findIp', () => {
  it('takes the first executable ip in PATH, skipping relative entries and non-executables, then the fallbacks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'findip-'));
    try {
      const [plain, good, rel] = [join(dir, 'plain'), join(dir, 'good'), join(dir, 'fallback')];
      for (const d of [plain, good, rel]) mkdirSync(d);
      writeFileSync(join(plain, 'ip'), '');
      chmodSync(join(plain, 'ip'), 0o644);
      writeFileSync(join(good, 'ip'), '#!/bin/sh\n');
      chmodSync(join(good, 'ip'), 0o755);
      writeFileSync(join(rel, 'ip'), '#!/bin/sh\n');
      chmodSync(join(rel, 'ip'), 0o755);
      assert.equal(findIp(['relative/dir', plain, good].join(':'), []), join(good, 'ip'));
      assert.equal(findIp(plain, [join(plain, 'ip'), join(rel, 'ip')]), join(rel, 'ip'));
      assert.equal(findIp('', [join(dir, 'nowhere', 'ip')]), undefined);
      assert.equal(findIp(undefined, [join(rel, 'ip')]), join(rel, 'ip'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
