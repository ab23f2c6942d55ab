// How `up` picks its ranges and ports next to other running clusters (the registry's records are
// the boundary faked here; the e2e test two-clusters.test.ts runs two real clusters).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { choosePlan, loopbackCandidates, type PlanInputs } from '../../src/cli/cluster-plan.js';
import type { ClusterRecord } from '../../src/cli/cluster-registry.js';
import { UsageError } from '../../src/cli/flags.js';

const defaults = { serviceCIDR: '127.96.0.0/16', podCIDR: '127.244.0.0/16', lbPool: '127.240.0.0/24', apiPort: 6443, proxyMetricsPort: 10249, proxyHealthzPort: 10256 };

const first: ClusterRecord = {
  pid: 4242,
  start: '1',
  dataDir: '/home/u/.kubesvc',
  netns: '1',
  serviceCIDR: '127.96.0.0/16',
  podCIDR: '127.244.0.0/16',
  lbPool: '127.240.0.0/24',
  apiPort: 6443,
  proxyMetricsPort: 10249,
  proxyHealthzPort: 10256,
};

function inputs(over: Partial<PlanInputs> = {}): PlanInputs {
  return { defaults, set: {}, saved: undefined, existing: false, others: [], candidates: loopbackCandidates(), portFree: async () => true, ...over };
}

describe('choosing a cluster address plan', () => {
  it('alone on the machine: the defaults, nothing to say', async () => {
    const p = await choosePlan(inputs());
    assert.deepEqual({ ...p, notes: p.notes }, { ...defaults, notes: [] });
  });

  it('next to a running cluster: free ranges and ports, each move said with its holder', async () => {
    const taken = new Set([6443, 10249, 10256]);
    const p = await choosePlan(inputs({ others: [first], portFree: async (port) => !taken.has(port) }));
    assert.equal(p.serviceCIDR, '127.97.0.0/16');
    assert.equal(p.podCIDR, '127.245.0.0/16');
    assert.equal(p.lbPool, '127.240.1.0/24');
    assert.deepEqual([p.apiPort, p.proxyMetricsPort, p.proxyHealthzPort], [0, 0, 0]);
    assert.equal(p.notes.length, 6);
    assert.match(p.notes[0]!, /^service CIDR 127\.97\.0\.0\/16 \(--service-cidr\): 127\.96\.0\.0\/16 is used by the kubesvc cluster running with data dir \/home\/u\/\.kubesvc \(pid 4242\)$/);
    assert.match(p.notes[3]!, /^--api-port: 6443 is in use by .* \(pid 4242\); a free port is picked$/);
  });

  it('a range the other cluster uses under another name (its pod CIDR as our service CIDR) is avoided too', async () => {
    const other = { ...first, serviceCIDR: '127.50.0.0/16', podCIDR: '127.96.0.0/12', lbPool: '127.241.0.0/24' };
    const p = await choosePlan(inputs({ others: [other] }));
    assert.ok(!['127.96.0.0/16', '127.97.0.0/16', '127.98.0.0/16', '127.99.0.0/16'].includes(p.serviceCIDR), p.serviceCIDR);
  });

  it('refuses a range the user set that a running cluster holds, naming it', async () => {
    await assert.rejects(
      choosePlan(inputs({ others: [first], set: { podCIDR: '127.244.0.0/20' } })),
      (e: Error) =>
        e instanceof UsageError &&
        e.message === '--pod-cidr 127.244.0.0/20 overlaps the pod CIDR 127.244.0.0/16 of the kubesvc cluster running with data dir /home/u/.kubesvc (pid 4242); stop that cluster or pass another --pod-cidr',
    );
  });

  it('never moves the ranges of a cluster that already has objects: saved or default, it refuses instead', async () => {
    await assert.rejects(choosePlan(inputs({ others: [first], saved: { serviceCIDR: '127.96.0.0/16' } })), /this cluster's service CIDR 127\.96\.0\.0\/16 \(its objects already hold addresses from it; --service-cidr moves it\) overlaps .*pid 4242/);
    await assert.rejects(choosePlan(inputs({ others: [first], existing: true })), /this cluster's service CIDR/);
    const p = await choosePlan(inputs({ saved: { serviceCIDR: '127.97.0.0/16', podCIDR: '127.245.0.0/16', lbPool: '127.240.1.0/24' } }));
    assert.deepEqual([p.serviceCIDR, p.podCIDR, p.lbPool], ['127.97.0.0/16', '127.245.0.0/16', '127.240.1.0/24'], 'a moved cluster keeps its ranges once the other is gone');
  });

  it('ports: the user\'s as given; otherwise the saved API port, then the default, then a free one', async () => {
    const p = await choosePlan(inputs({ set: { apiPort: 7000 }, portFree: async () => false }));
    assert.equal(p.apiPort, 7000);
    const q = await choosePlan(inputs({ saved: { apiPort: 40000 }, portFree: async (port) => port === 40000 }));
    assert.equal(q.apiPort, 40000);
    assert.equal(q.proxyMetricsPort, 0);
  });
});
