import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeAffinity } from '../../../src/scheduler/plugins/node-affinity.js';
import { filterAll, mkNode, mkPod, scoreAll, snap } from './fixtures.js';

const nodes = [mkNode('a', { labels: { zone: 'z1', cpus: '4' } }), mkNode('b', { labels: { zone: 'z2', cpus: '16' } }), mkNode('c')];
const no = "UnschedulableAndUnresolvable: node(s) didn't match Pod's node affinity/selector";
const required = (terms: unknown[]) => mkPod('p', { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });

test('required node affinity: terms ORed, requirements ANDed, matchFields on metadata.name', () => {
  const cases: [string, unknown[], string[]][] = [
    ['matchFields pins a DaemonSet pod', [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }], ['b']],
    ['Gt compares integers', [{ matchExpressions: [{ key: 'cpus', operator: 'Gt', values: ['8'] }] }], ['b']],
    ['Lt', [{ matchExpressions: [{ key: 'cpus', operator: 'Lt', values: ['8'] }] }], ['a']],
    ['DoesNotExist or In (ORed terms)', [{ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z2'] }] }], ['b', 'c']],
    ['NotIn matches nodes without the label', [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z1'] }] }], ['b', 'c']],
    ['ANDed contradiction matches nothing', [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z1', 'z2'] }, { key: 'zone', operator: 'Exists' }] }], []],
    ['an empty term matches nothing', [{}], []],
    ['an invalid requirement (In without values) matches nothing', [{ matchExpressions: [{ key: 'zone', operator: 'In', values: [] }] }], []],
    ['Gt with a non-integer matches nothing', [{ matchExpressions: [{ key: 'cpus', operator: 'Gt', values: ['x'] }] }], []],
    ['matchFields supports only In/NotIn', [{ matchFields: [{ key: 'metadata.name', operator: 'Exists' }] }], []],
  ];
  for (const [name, terms, fit] of cases) {
    const got = filterAll(nodeAffinity, required(terms), snap(nodes));
    assert.deepEqual(Object.keys(got).filter((n) => got[n] === ''), fit, name);
    for (const n of Object.keys(got)) if (!fit.includes(n)) assert.equal(got[n], no, `${name}: ${n}`);
  }
  const sel = mkPod('s');
  sel.spec.nodeSelector = { zone: 'z1' };
  assert.deepEqual(filterAll(nodeAffinity, sel, snap(nodes)), { a: '', b: no, c: no });
});

test('preferred node affinity scores the sum of matching weights, normalized to 100', () => {
  const p = mkPod('p', {
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 20, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } },
          { weight: 5, preference: { matchExpressions: [{ key: 'cpus', operator: 'Exists' }] } },
        ],
      },
    },
  });
  assert.deepEqual(scoreAll(nodeAffinity, p, snap(nodes)), { a: 100, b: 20, c: 0 });
  assert.deepEqual(scoreAll(nodeAffinity, mkPod('q'), snap(nodes)), { a: 0, b: 0, c: 0 });
});
