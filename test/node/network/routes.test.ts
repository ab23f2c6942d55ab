import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureHostRoutes, hostRoutes, netnsEnv, poolCIDRs, rangeToCIDRs } from '../../../src/node/network/index.js';
import { FakeRunner } from './fake.js';

const n = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);

describe('netns host routes', () => {
  it('covers an address range with the fewest CIDRs, exactly', () => {
    assert.deepEqual(rangeToCIDRs(n('172.30.1.0'), n('172.30.1.255')), ['172.30.1.0/24']);
    assert.deepEqual(rangeToCIDRs(n('172.30.1.10'), n('172.30.1.20')), ['172.30.1.10/31', '172.30.1.12/30', '172.30.1.16/30', '172.30.1.20/32']);
    assert.deepEqual(rangeToCIDRs(n('10.0.0.7'), n('10.0.0.7')), ['10.0.0.7/32']);
    assert.deepEqual(rangeToCIDRs(n('10.0.0.255'), n('10.0.1.0')), ['10.0.0.255/32', '10.0.1.0/32']);
  });

  it('reads a LoadBalancer pool in each of its spellings', () => {
    assert.deepEqual(poolCIDRs('172.30.1.0/24'), ['172.30.1.0/24']);
    assert.deepEqual(poolCIDRs('172.30.1.5/24'), ['172.30.1.0/24'], 'host bits cleared');
    assert.deepEqual(poolCIDRs('172.30.2.0-172.30.2.3, 172.30.3.9'), ['172.30.2.0/30', '172.30.3.9/32']);
  });

  it('routes each pod CIDR via its node, and Services and LB IPs via the first node, all on the bridge', async () => {
    const runner = new FakeRunner();
    const env = netnsEnv({ runner });
    const routes = hostRoutes(env, [1, 2], { serviceCIDR: '10.96.0.0/12', lbPool: '172.30.1.0/24' });
    assert.deepEqual(routes, [
      { cidr: '10.244.1.0/24', via: '172.30.0.11' },
      { cidr: '10.244.2.0/24', via: '172.30.0.12' },
      { cidr: '10.96.0.0/12', via: '172.30.0.11' },
      { cidr: '172.30.1.0/24', via: '172.30.0.11' },
    ]);
    await ensureHostRoutes(env, routes);
    assert.deepEqual(runner.calls, routes.map((r) => `ip route replace ${r.cidr} via ${r.via} dev kubesvc0`));
  });
});
