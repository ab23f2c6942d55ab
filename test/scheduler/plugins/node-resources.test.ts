import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.js';
import { podRequests } from '../../../src/scheduler/resources.js';
import { balancedAllocation } from '../../../src/scheduler/plugins/balanced-allocation.js';
import { nodeResourcesFit } from '../../../src/scheduler/plugins/node-resources-fit.js';
import { filterAll, mkNode, mkPod, scoreAll, snap } from './fixtures.js';

const c = (name: string, requests: Record<string, string>, extra: Record<string, unknown> = {}) => ({ name, image: 'x', resources: { requests }, ...extra });
function withContainers(containers: unknown[], initContainers: unknown[] = [], overhead?: Record<string, string>, node?: string): Pod {
  const p = mkPod('p', node ? { node } : {});
  p.spec.containers = containers as Pod['spec']['containers'];
  if (initContainers.length) p.spec.initContainers = initContainers as Pod['spec']['containers'];
  if (overhead) p.spec.overhead = overhead;
  return p;
}
const plain = (r: Map<string, bigint>) => Object.fromEntries([...r].map(([k, v]) => [k, Number(v)]));

test('pod requests: containers summed, init containers as a maximum, sidecars added, overhead on top', () => {
  const cases: [string, Pod, Record<string, number>][] = [
    ['containers add up (cpu in millicores)', withContainers([c('a', { cpu: '500m', memory: '1Gi' }), c('b', { cpu: '1', memory: '512Mi' })]), { cpu: 1500, memory: 1536 * 1024 * 1024 }],
    ['a bigger init container sets the request', withContainers([c('a', { cpu: '1' })], [c('i', { cpu: '3', memory: '1k' })]), { cpu: 3000, memory: 1000 }],
    ['a limit without a request is the request', withContainers([{ name: 'a', image: 'x', resources: { limits: { cpu: '250m' } } }]), { cpu: 250 }],
    ['fractional quantities round up', withContainers([c('a', { cpu: '0.0001', memory: '1.5' })]), { cpu: 1, memory: 2 }],
    ['sidecars run beside later init containers and the app', withContainers([c('a', { cpu: '1' })], [c('side', { cpu: '1' }, { restartPolicy: 'Always' }), c('init', { cpu: '2' })]), { cpu: 3000 }],
    ['overhead is added', withContainers([c('a', { cpu: '1' })], [], { cpu: '250m', memory: '120Mi' }), { cpu: 1250, memory: 120 * 1024 * 1024 }],
  ];
  for (const [name, pod, want] of cases) assert.deepEqual(plain(podRequests(pod)), want, name);
  // Scoring counts a container without requests as 100m and 200Mi.
  assert.deepEqual(plain(podRequests(withContainers([c('a', {}), c('b', { cpu: '1' })]), true)), { cpu: 1100, memory: 400 * 1024 * 1024 });
});

test('fit: requests against allocatable minus what bound pods request, and the pods count', () => {
  const nodes = [
    mkNode('full-cpu', { allocatable: { cpu: '2', memory: '4Gi', pods: '110' } }),
    mkNode('roomy', { allocatable: { cpu: '8', memory: '16Gi', pods: '110' } }),
    mkNode('two-pods', { allocatable: { cpu: '8', memory: '16Gi', pods: '2' } }),
    mkNode('tiny', { allocatable: { cpu: '1', memory: '1Gi', pods: '110' } }),
  ];
  const bound = [
    mkPod('b1', { node: 'full-cpu', requests: { cpu: '1500m' } }),
    mkPod('b2', { node: 'two-pods' }),
    mkPod('b3', { node: 'two-pods' }),
    // Terminal pods free their share.
    { ...mkPod('done', { node: 'tiny', requests: { cpu: '1' } }), status: { phase: 'Succeeded' } } as Pod,
  ];
  const got = filterAll(nodeResourcesFit, mkPod('p', { requests: { cpu: '1', memory: '2Gi' } }), snap(nodes, bound));
  assert.deepEqual(got, {
    'full-cpu': 'Unschedulable: Insufficient cpu',
    roomy: '',
    'two-pods': 'Unschedulable: Too many pods',
    tiny: 'Unschedulable: Insufficient memory',
  });
  // Extended resources the node does not have; a pod without requests only needs a pod slot.
  const gpu = filterAll(nodeResourcesFit, mkPod('g', { requests: { 'example.com/gpu': '1', cpu: '100' } }), snap(nodes, bound));
  assert.equal(gpu.roomy, 'Unschedulable: Insufficient cpu; Insufficient example.com/gpu');
  assert.deepEqual(filterAll(nodeResourcesFit, mkPod('e'), snap(nodes, bound)), { 'full-cpu': '', roomy: '', 'two-pods': 'Unschedulable: Too many pods', tiny: '' });
});

// Upstream's least_allocated_test / balanced_allocation_test case: nodes of 4000m/10000 and 6000m/10000, a pod of 3000m/5000.
const sized = [mkNode('node1', { allocatable: { cpu: '4000m', memory: '10000', pods: '110' } }), mkNode('node2', { allocatable: { cpu: '6000m', memory: '10000', pods: '110' } })];
const p3000 = withContainers([c('a', { cpu: '1000m', memory: '2000' }), c('b', { cpu: '2000m', memory: '3000' })]);

test('LeastAllocated: the mean share of cpu and memory left free', () => {
  assert.deepEqual(scoreAll(nodeResourcesFit, p3000, snap(sized)), { node1: 37, node2: 50 });
  // Already-bound pods count with their non-zero requests.
  const busy = [withContainers([c('x', { cpu: '3000m', memory: '0' })], [], undefined, 'node2')];
  busy[0]!.metadata.name = 'busy';
  assert.deepEqual(scoreAll(nodeResourcesFit, mkPod('e'), snap(sized, busy)), { node1: 48, node2: 24 });
});

test('BalancedAllocation: 100 × (1 − std of the cpu and memory shares); pods requesting neither are not scored', () => {
  assert.deepEqual(scoreAll(balancedAllocation, p3000, snap(sized)), { node1: 87, node2: 100 });
  assert.deepEqual(scoreAll(balancedAllocation, mkPod('e'), snap(sized)), { node1: 0, node2: 0 });
});
