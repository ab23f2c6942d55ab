import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LabelSelector, selectorFromSet } from '../../../src/machinery/labels/index.js';
import { defaultSelector } from '../../../src/scheduler/framework/default-selector.js';
import { podTopologySpread } from '../../../src/scheduler/plugins/pod-topology-spread.js';
import { filterAll, mkNode, mkPod, scoreAll, snap } from './fixtures.js';

const host = 'kubernetes.io/hostname';
const zone = 'topology.kubernetes.io/zone';
const nodes = [mkNode('a', { labels: { [zone]: 'z1' } }), mkNode('b', { labels: { [zone]: 'z1' } }), mkNode('c', { labels: { [zone]: 'z2' } })];
const web = { app: 'web' };
const spread = (topologyKey: string, extra: Record<string, unknown> = {}) => ({ maxSkew: 1, topologyKey, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: web }, ...extra });
const on = (node: string, labels: Record<string, string> = web, name = `${node}-${Math.random()}`) => mkPod(name, { node, labels });
const skew = "Unschedulable: node(s) didn't match pod topology spread constraints";
const missing = "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)";

test('DoNotSchedule: count + self − smallest domain may not exceed maxSkew', () => {
  const cases: [string, ReturnType<typeof mkPod>, ReturnType<typeof mkPod>[], Record<string, string>, typeof nodes?][] = [
    ['zones 2:0 → only z2', mkPod('p', { labels: web, spread: [spread(zone)] }), [on('a'), on('b')], { a: skew, b: skew, c: '' }],
    ['hostname 1:0:0 → not a', mkPod('p', { labels: web, spread: [spread(host)] }), [on('a')], { a: skew, b: '', c: '' }],
    ['other namespaces and non-matching pods do not count', mkPod('p', { labels: web, spread: [spread(host)] }), [on('a', { app: 'db' }), { ...on('b'), metadata: { ...on('b').metadata, namespace: 'x' } }], { a: '', b: '', c: '' }],
    ['terminating pods do not count', mkPod('p', { labels: web, spread: [spread(host)] }), [mkPod('t', { node: 'a', labels: web, terminating: true })], { a: '', b: '', c: '' }],
    ['a pod outside its own selector adds nothing (selfMatch 0)', mkPod('p', { labels: { app: 'other' }, spread: [spread(host)] }), [on('a')], { a: '', b: '', c: '' }],
    ['minDomains above the domains present makes the minimum 0', mkPod('p', { labels: web, spread: [spread(zone, { minDomains: 3 })] }), [on('a'), on('c')], { a: skew, b: skew, c: skew }],
    ['…and without minDomains the same pods allow both zones', mkPod('p', { labels: web, spread: [spread(zone)] }), [on('a'), on('c')], { a: '', b: '', c: '' }],
    ['nodes without the key are unresolvable', mkPod('p', { labels: web, spread: [spread('rack')] }), [], { a: missing, b: missing, c: missing }],
    ['matchLabelKeys narrows the selector to the pod\'s own revision', mkPod('p', { labels: { ...web, rev: 'new' }, spread: [spread(host, { matchLabelKeys: ['rev'] })] }), [on('a', { ...web, rev: 'old' }), on('a', { ...web, rev: 'old' }, 'a2')], { a: '', b: '', c: '' }],
    ['…without it the old revision counts', mkPod('p', { labels: { ...web, rev: 'new' }, spread: [spread(host)] }), [on('a', { ...web, rev: 'old' }), on('a', { ...web, rev: 'old' }, 'a2')], { a: skew, b: '', c: '' }],
  ];
  for (const [name, pod, bound, want] of cases) assert.deepEqual(filterAll(podTopologySpread, pod, snap(nodes, bound)), want, name);
});

test('nodeAffinityPolicy (Honor by default) and nodeTaintsPolicy (Ignore by default) choose the counted nodes', () => {
  const tainted = [mkNode('a'), mkNode('b'), mkNode('c', { taints: [{ key: 'k', effect: 'NoSchedule' }] })];
  const bound = [on('a'), on('b')];
  const pinned = (extra: Record<string, unknown>) => {
    const p = mkPod('p', { labels: web, spread: [spread(host, extra)] });
    p.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }] }] } } };
    return p;
  };
  // Honor: c (which the pod may not use) is not a domain, so a and b (1 each) are balanced.
  assert.deepEqual(filterAll(podTopologySpread, pinned({}), snap(tainted, bound)), { a: '', b: '', c: '' });
  // Ignore: c's 0 is the minimum.
  assert.deepEqual(filterAll(podTopologySpread, pinned({ nodeAffinityPolicy: 'Ignore' }), snap(tainted, bound)), { a: skew, b: skew, c: '' });
  const free = (extra: Record<string, unknown>) => mkPod('p', { labels: web, spread: [spread(host, extra)] });
  assert.deepEqual(filterAll(podTopologySpread, free({}), snap(tainted, bound)), { a: skew, b: skew, c: '' });
  assert.deepEqual(filterAll(podTopologySpread, free({ nodeTaintsPolicy: 'Honor' }), snap(tainted, bound)), { a: '', b: '', c: '' });
});

test('ScheduleAnyway scores fewer matching pods higher; nodes lacking a key score 0', () => {
  const four = [...nodes, mkNode('d', { labels: { [zone]: 'z2' } })];
  const p = mkPod('p', { labels: web, spread: [spread(host, { whenUnsatisfiable: 'ScheduleAnyway' })] });
  assert.deepEqual(scoreAll(podTopologySpread, p, snap(four, [on('a'), on('a', web, 'a2'), on('b')])), { a: 0, b: 50, c: 100, d: 100 });
  // Zones 2:1 weigh log(2+2) each: round(2.77)=3 vs round(1.39)=1, normalized as 100·(max+min−s)/max.
  const z = mkPod('p', { labels: web, spread: [spread(zone, { whenUnsatisfiable: 'ScheduleAnyway' })] });
  const withRackless = [...four, mkNode('e')];
  assert.deepEqual(scoreAll(podTopologySpread, z, snap(withRackless, [on('a'), on('b'), on('c')])), { a: 33, b: 33, c: 100, d: 100, e: 0 });
  // Hard constraints do not score.
  assert.deepEqual(scoreAll(podTopologySpread, mkPod('h', { labels: web, spread: [spread(host)] }), snap(four, [on('a')])), { a: 0, b: 0, c: 0, d: 0 });
});

test('no constraints: the system defaults (hostname 3, zone 5, ScheduleAnyway) over the pods its Services and controller select', () => {
  const plain = [mkNode('a'), mkNode('b'), mkNode('c')];
  const bound = [on('a'), on('a', web, 'a2'), on('b')];
  const withDefault = (sel: LabelSelector) => ({ ...snap(plain, bound), defaultSelector: () => sel });
  // hostname: round(count·ln(3+2) + 2) = 5, 4, 2; nodes without a zone are not scored on it.
  assert.deepEqual(scoreAll(podTopologySpread, mkPod('p', { labels: web }), withDefault(selectorFromSet(web))), { a: 40, b: 60, c: 100 });
  // Nothing groups the pod: nothing to spread.
  assert.deepEqual(scoreAll(podTopologySpread, mkPod('p', { labels: web }), withDefault(LabelSelector.everything())), { a: 0, b: 0, c: 0 });
});

test('default selector: selectors of the Services selecting the pod, plus its ReplicaSet\'s', () => {
  const p = mkPod('p', { labels: { app: 'web', tier: 'front', 'pod-template-hash': 'abc' } });
  p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'u', controller: true }];
  const services = [
    { metadata: { name: 'web' }, spec: { selector: { app: 'web' } } },
    { metadata: { name: 'front' }, spec: { selector: { tier: 'front' } } },
    { metadata: { name: 'other' }, spec: { selector: { app: 'db' } } },
    { metadata: { name: 'headless-no-selector' }, spec: {} },
  ];
  const sel = defaultSelector(p, {
    services: () => services as never,
    ownerSelector: (kind, _ns, name) => (kind === 'ReplicaSet' && name === 'web-abc' ? { matchLabels: { app: 'web', 'pod-template-hash': 'abc' } } : undefined),
  });
  assert.equal(sel.toString(), 'app=web,app=web,pod-template-hash=abc,tier=front');
  const lone = defaultSelector(mkPod('q', { labels: { x: 'y' } }), { services: () => services as never, ownerSelector: () => undefined });
  assert.equal(lone.empty(), true);
});
