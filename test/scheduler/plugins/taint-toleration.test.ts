import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeUnschedulable } from '../../../src/scheduler/plugins/node-unschedulable.js';
import { taintToleration } from '../../../src/scheduler/plugins/taint-toleration.js';
import { filterAll, mkNode, mkPod, scoreAll, snap } from './fixtures.js';

test('untolerated NoSchedule/NoExecute taints filter; PreferNoSchedule does not', () => {
  const nodes = [
    mkNode('ns', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
    mkNode('ne', { taints: [{ key: 'k', effect: 'NoExecute' }] }),
    mkNode('pref', { taints: [{ key: 'k', effect: 'PreferNoSchedule' }] }),
  ];
  const cases: [string, unknown[], Record<string, string>][] = [
    ['no tolerations', [], { ns: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: db}', ne: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {k: }', pref: '' }],
    ['Equal with value', [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }], { ns: '', ne: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {k: }', pref: '' }],
    ['Equal with the wrong value', [{ key: 'dedicated', operator: 'Equal', value: 'web' }], { ns: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {dedicated: db}', ne: 'UnschedulableAndUnresolvable: node(s) had untolerated taint {k: }', pref: '' }],
    ['empty key with Exists tolerates everything', [{ operator: 'Exists' }], { ns: '', ne: '', pref: '' }],
  ];
  for (const [name, tolerations, want] of cases) {
    const p = mkPod('p');
    p.spec.tolerations = tolerations;
    assert.deepEqual(filterAll(taintToleration, p, snap(nodes)), want, name);
  }
});

test('fewer untolerated PreferNoSchedule taints score higher', () => {
  const nodes = [
    mkNode('two', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }] }),
    mkNode('one', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] }),
    mkNode('none'),
  ];
  assert.deepEqual(scoreAll(taintToleration, mkPod('p'), snap(nodes)), { two: 0, one: 50, none: 100 });
  const p = mkPod('p');
  p.spec.tolerations = [{ key: 'a', operator: 'Exists', effect: 'PreferNoSchedule' }];
  assert.deepEqual(scoreAll(taintToleration, p, snap(nodes)), { two: 0, one: 100, none: 100 });
});

test('a cordoned node takes only pods tolerating node.kubernetes.io/unschedulable', () => {
  const nodes = [mkNode('cordoned', { unschedulable: true }), mkNode('open')];
  assert.deepEqual(filterAll(nodeUnschedulable, mkPod('p'), snap(nodes)), { cordoned: 'UnschedulableAndUnresolvable: node(s) were unschedulable', open: '' });
  const ds = mkPod('ds');
  ds.spec.tolerations = [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }];
  assert.deepEqual(filterAll(nodeUnschedulable, ds, snap(nodes)), { cordoned: '', open: '' });
});
