import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod } from '../../src/api/core.js';
import { podConditions, podPhase, withTransitionTimes } from '../../src/node/pod-status.js';

const pod = (policy: 'Always' | 'OnFailure' | 'Never', names = ['a', 'b']): Pod => ({
  metadata: { name: 'p' },
  spec: { restartPolicy: policy, containers: names.map((name) => ({ name })) },
});
const cs = (name: string, state: ContainerStatus['state'], lastState: ContainerStatus['lastState'] = {}, ready = false): ContainerStatus => ({
  name,
  state,
  lastState,
  ready,
  restartCount: 0,
  image: '',
  imageID: '',
});
const running = { running: { startedAt: 't' } };
const exited = (exitCode: number) => ({ terminated: { exitCode } });
const creating = { waiting: { reason: 'ContainerCreating' } };
const backoff = { waiting: { reason: 'CrashLoopBackOff' } };

test('phase follows getPhase', () => {
  assert.equal(podPhase(pod('Always'), [cs('a', running), cs('b', creating)]), 'Pending');
  assert.equal(podPhase(pod('Always'), [cs('a', running), cs('b', running)]), 'Running');
  assert.equal(podPhase(pod('Always'), [cs('a', running)]), 'Pending', 'a container with no status yet');
  assert.equal(podPhase(pod('Always'), [cs('a', exited(0)), cs('b', backoff, exited(1))]), 'Running', 'restarting');
  assert.equal(podPhase(pod('Never'), [cs('a', exited(0)), cs('b', exited(0))]), 'Succeeded');
  assert.equal(podPhase(pod('Never'), [cs('a', exited(0)), cs('b', exited(2))]), 'Failed');
  assert.equal(podPhase(pod('OnFailure'), [cs('a', exited(0)), cs('b', exited(0))]), 'Succeeded');
  assert.equal(podPhase(pod('OnFailure'), [cs('a', exited(0)), cs('b', exited(1))]), 'Running');
  assert.equal(podPhase(pod('Always'), [cs('a', exited(143)), cs('b', exited(0))], true), 'Failed', 'terminal after deletion');
  assert.equal(podPhase(pod('Always'), [cs('a', exited(0)), cs('b', exited(0))], true), 'Succeeded');
});

test('conditions in upstream order with ContainersNotReady message', () => {
  const p = pod('Always');
  const c = podConditions(p, [cs('a', running, {}, true), cs('b', running)], 'Running', true);
  assert.deepEqual(
    c.map((x) => [x.type, x.status, x.reason]),
    [
      ['PodReadyToStartContainers', 'True', undefined],
      ['Initialized', 'True', undefined],
      ['Ready', 'False', 'ContainersNotReady'],
      ['ContainersReady', 'False', 'ContainersNotReady'],
      ['PodScheduled', 'True', undefined],
    ],
  );
  assert.equal(c[2]!.message, 'containers with unready status: [b]');
  const done = podConditions(pod('Never'), [cs('a', exited(0)), cs('b', exited(0))], 'Succeeded', false);
  assert.equal(done[2]!.reason, 'PodCompleted');
  assert.equal(done[0]!.status, 'False');
});

test('lastTransitionTime is kept while the status does not change', () => {
  const prev = [
    { type: 'Ready', status: 'False' as const, lastTransitionTime: 'T0' },
    { type: 'PodScheduled', status: 'True' as const, lastTransitionTime: 'T-1' },
  ];
  const next = withTransitionTimes(prev, [
    { type: 'Ready', status: 'True' },
    { type: 'PodScheduled', status: 'True' },
  ], 'T1');
  assert.equal(next[0]!.lastTransitionTime, 'T1');
  assert.equal(next[1]!.lastTransitionTime, 'T-1');
});

test('init containers: pending until all complete; a failure under Never fails the pod', () => {
  const p: Pod = { metadata: { name: 'p' }, spec: { restartPolicy: 'Always', initContainers: [{ name: 'i1' }, { name: 'i2' }], containers: [{ name: 'a' }] } };
  const waitingApp = [cs('a', { waiting: { reason: 'PodInitializing' } })];
  assert.equal(podPhase(p, waitingApp, false, [cs('i1', exited(0)), cs('i2', running)]), 'Pending');
  assert.equal(podPhase(p, waitingApp, false, [cs('i1', exited(0)), cs('i2', backoff, exited(1))]), 'Pending');
  assert.equal(podPhase({ ...p, spec: { ...p.spec, restartPolicy: 'Never' } }, waitingApp, false, [cs('i1', exited(2))]), 'Failed');
  assert.equal(podPhase(p, [cs('a', running)], false, [cs('i1', exited(0)), cs('i2', exited(0))]), 'Running');
  const conds = podConditions(p, waitingApp, 'Pending', true, [cs('i1', exited(0)), cs('i2', running)]);
  assert.deepEqual(conds[1], { type: 'Initialized', status: 'False', reason: 'ContainersNotInitialized', message: 'containers with incomplete status: [i2]' });
});

test('readiness gates hold Ready back until their conditions are True', () => {
  const p: Pod = {
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'a' }], readinessGates: [{ conditionType: 'example.com/lb' }] },
    status: { conditions: [] },
  };
  const ready = [cs('a', running, {}, true)];
  const c1 = podConditions(p, ready, 'Running', true);
  assert.deepEqual([c1[2]!.status, c1[2]!.reason, c1[2]!.message], ['False', 'ReadinessGatesNotReady', 'corresponding condition of pod readiness gate "example.com/lb" does not exist.']);
  assert.equal(c1[3]!.status, 'True', 'ContainersReady ignores gates');
  p.status!.conditions = [{ type: 'example.com/lb', status: 'True' }];
  assert.equal(podConditions(p, ready, 'Running', true)[2]!.status, 'True');
});
