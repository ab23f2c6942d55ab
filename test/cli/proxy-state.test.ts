import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import type { Node } from '../../src/api/core.js';
import { inferClusterCIDR, resolveKubeconfig } from '../../src/cli/proxy-state.js';

const node = (name: string, podCIDR?: string): Node => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: podCIDR ? { podCIDR } : {} });

describe('proxy rules/trace: finding the cluster', () => {
  it('reads the pod range back from the nodes as kubesvc lays it out', () => {
    assert.equal(inferClusterCIDR([node('a', '10.244.1.0/24'), node('b', '10.244.2.0/24')]), '10.244.0.0/16');
    assert.equal(inferClusterCIDR([node('a', '127.244.1.0/24')]), '127.244.0.0/16');
    assert.equal(inferClusterCIDR([node('a', '10.244.1.0/24'), node('b', '10.245.2.0/24')]), undefined, 'two ranges');
    assert.equal(inferClusterCIDR([node('a', '10.244.1.0/24'), node('b')]), undefined, 'a node without a pod CIDR');
    assert.equal(inferClusterCIDR([node('a', '10.244.0.0/23')]), undefined, 'not a /24');
    assert.equal(inferClusterCIDR([]), undefined);
  });

  it('takes --kubeconfig, then --data-dir, then $KUBECONFIG, then ~/.kubesvc', () => {
    const env = { KUBECONFIG: ':/tmp/a.yaml:/tmp/b.yaml' };
    assert.equal(resolveKubeconfig('/x/k.yaml', '/d', env), '/x/k.yaml');
    assert.equal(resolveKubeconfig(undefined, '/d', env), '/d/kubeconfig.yaml');
    assert.equal(resolveKubeconfig(undefined, undefined, env), '/tmp/a.yaml');
    assert.equal(resolveKubeconfig(undefined, undefined, {}), `${homedir()}/.kubesvc/kubeconfig.yaml`);
  });
});
