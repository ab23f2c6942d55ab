import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interPodAffinity } from '../../../src/scheduler/plugins/inter-pod-affinity.js';
import { filterAll, mkNode, mkPod, scoreAll, snap } from './fixtures.js';

const host = 'kubernetes.io/hostname';
const zone = 'topology.kubernetes.io/zone';
const nodes = [mkNode('a', { labels: { [zone]: 'z1' } }), mkNode('b', { labels: { [zone]: 'z1' } }), mkNode('c', { labels: { [zone]: 'z2' } }), mkNode('nozone')];
const term = (labels: Record<string, string>, topologyKey: string, extra: Record<string, unknown> = {}) => ({ labelSelector: { matchLabels: labels }, topologyKey, ...extra });
const antiAffinity = (...terms: unknown[]) => ({ podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } });
const affinity = (...terms: unknown[]) => ({ podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: terms } });

const anti = "Unschedulable: node(s) didn't match pod anti-affinity rules";
const existingAnti = "Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules";
const aff = "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules";

test('required pod affinity and anti-affinity, both ways, per topology domain', () => {
  const web = { app: 'web' };
  const cases: [string, ReturnType<typeof mkPod>, ReturnType<typeof mkPod>[], Record<string, string>][] = [
    ['anti-affinity to its own kind by hostname', mkPod('p', { labels: web, affinity: antiAffinity(term(web, host)) }), [mkPod('w1', { labels: web, node: 'a', affinity: antiAffinity(term(web, host)) })], { a: anti, b: '', c: '', nozone: '' }],
    ['anti-affinity by zone rules out the whole zone', mkPod('p', { labels: web, affinity: antiAffinity(term(web, zone)) }), [mkPod('w1', { labels: web, node: 'a' })], { a: anti, b: anti, c: '', nozone: '' }],
    ['an existing pod\'s anti-affinity keeps the incoming pod out of its zone', mkPod('p', { labels: web }), [mkPod('loner', { node: 'c', affinity: antiAffinity(term(web, zone)) })], { a: '', b: '', c: existingAnti, nozone: '' }],
    ['terminating pods still count', mkPod('p', { labels: web, affinity: antiAffinity(term(web, host)) }), [mkPod('w1', { labels: web, node: 'b', terminating: true })], { a: '', b: anti, c: '', nozone: '' }],
    ['affinity to db pods in the same zone; nodes without the key never fit', mkPod('p', { affinity: affinity(term({ app: 'db' }, zone)) }), [mkPod('db', { labels: { app: 'db' }, node: 'a' })], { a: '', b: '', c: aff, nozone: aff }],
    ['affinity with no matching pod anywhere, pod not matching itself', mkPod('p', { affinity: affinity(term({ app: 'db' }, zone)) }), [], { a: aff, b: aff, c: aff, nozone: aff }],
    ['the first pod of a self-affine group may go anywhere with the key', mkPod('p', { labels: web, affinity: affinity(term(web, zone)) }), [], { a: '', b: '', c: '', nozone: aff }],
    ['terms look in the pod\'s own namespace by default', mkPod('p', { affinity: affinity(term({ app: 'db' }, zone)) }), [mkPod('db', { namespace: 'other', labels: { app: 'db' }, node: 'a' })], { a: aff, b: aff, c: aff, nozone: aff }],
    ['namespaces names others', mkPod('p', { affinity: affinity(term({ app: 'db' }, zone, { namespaces: ['other'] })) }), [mkPod('db', { namespace: 'other', labels: { app: 'db' }, node: 'c' })], { a: aff, b: aff, c: '', nozone: aff }],
    ['namespaceSelector selects namespaces by label', mkPod('p', { affinity: affinity(term({ app: 'db' }, zone, { namespaceSelector: { matchLabels: { team: 'data' } } })) }), [mkPod('db', { namespace: 'data', labels: { app: 'db' }, node: 'c' }), mkPod('db2', { namespace: 'other', labels: { app: 'db' }, node: 'a' })], { a: aff, b: aff, c: '', nozone: aff }],
    ['matchLabelKeys: only pods of the same revision repel', mkPod('p', { labels: { ...web, rev: '2' }, affinity: antiAffinity(term(web, host, { matchLabelKeys: ['rev'] })) }), [mkPod('old', { labels: { ...web, rev: '1' }, node: 'a' }), mkPod('new', { labels: { ...web, rev: '2' }, node: 'c' })], { a: '', b: '', c: anti, nozone: '' }],
    ['mismatchLabelKeys: pods of other tenants repel', mkPod('p', { labels: { tenant: 't1' }, affinity: antiAffinity({ labelSelector: {}, topologyKey: host, mismatchLabelKeys: ['tenant'] }) }), [mkPod('mine', { labels: { tenant: 't1' }, node: 'a' }), mkPod('theirs', { labels: { tenant: 't2' }, node: 'b' })], { a: '', b: anti, c: '', nozone: '' }],
    ['an empty namespaceSelector selects every namespace', mkPod('p', { affinity: affinity(term({ app: 'db' }, zone, { namespaceSelector: {} })) }), [mkPod('db', { namespace: 'other', labels: { app: 'db' }, node: 'a' })], { a: '', b: '', c: aff, nozone: aff }],
  ];
  for (const [name, pod, bound, want] of cases) {
    assert.deepEqual(filterAll(interPodAffinity, pod, snap(nodes, bound, { data: { team: 'data' }, other: {} })), want, name);
  }
});

test('affinity is judged before anti-affinity, and its failure cannot be preempted away', () => {
  const p = mkPod('p', { labels: { app: 'web' }, affinity: { ...affinity(term({ app: 'db' }, zone)), ...antiAffinity(term({ app: 'web' }, host)) } });
  const got = filterAll(interPodAffinity, p, snap(nodes, [mkPod('db', { labels: { app: 'db' }, node: 'a' }), mkPod('w', { labels: { app: 'web' }, node: 'a' })]));
  assert.deepEqual(got, { a: anti, b: '', c: aff, nozone: aff });
});

test('preferred terms score by summed weights per domain, normalized between min and max', () => {
  const bound = [mkPod('w1', { labels: { app: 'web' }, node: 'a' }), mkPod('c1', { labels: { app: 'cache' }, node: 'c' })];
  const p = mkPod('p', {
    affinity: {
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term({ app: 'web' }, zone) }] },
      podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term({ app: 'cache' }, host) }] },
    },
  });
  // z1 (a, b): −10; c: +5 on its host; nozone: 0.
  assert.deepEqual(scoreAll(interPodAffinity, p, snap(nodes, bound)), { a: 0, b: 0, c: 100, nozone: 66 });
  // An existing pod's required affinity to the incoming pod draws it (hardPodAffinityWeight 1).
  const drawn = [mkPod('fan', { node: 'b', affinity: affinity(term({ app: 'web' }, host)) })];
  assert.deepEqual(scoreAll(interPodAffinity, mkPod('p', { labels: { app: 'web' } }), snap(nodes, drawn)), { a: 0, b: 100, c: 0, nozone: 0 });
});
