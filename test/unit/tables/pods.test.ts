// Pod rows: READY, STATUS, RESTARTS and the wide columns, with upstream printers_test.go cases as data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerStatus, Pod } from '../../../src/api/core.js';
import { toTable } from '../../../src/apiserver/tables/index.js';
import { printerFor } from './printers.js';
import { ago, cellsOf, narrowCellsOf, NOW } from './helpers.js';

type Status = Partial<ContainerStatus>;

function pod(name: string, spec: Partial<Pod['spec']>, status: Pod['status'], meta: Partial<Pod['metadata']> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', ...meta },
    spec: { containers: [], ...spec } as Pod['spec'],
    status,
  };
}
const containers = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}` }));
const running = { running: {} };
const restartedAgo = (s: number) => ({ terminated: { exitCode: 0, finishedAt: ago(s) } });
const cs = (s: Status) => ({ name: '', ready: false, restartCount: 0, image: '', imageID: '', ...s }) as ContainerStatus;
const sidecar = (name: string) => ({ name, restartPolicy: 'Always' });

const cases: { name: string; pod: Pod; want: unknown[] }[] = [
  {
    name: 'restarts add up; a ready running container counts as ready',
    pod: pod('test1', { containers: containers(2) }, {
      phase: 'podPhase' as 'Pending',
      containerStatuses: [cs({ ready: true, restartCount: 3, state: running }), cs({ restartCount: 3 })],
    }),
    want: ['test1', '1/2', 'podPhase', '6'],
  },
  {
    name: 'a waiting container\'s reason overrides the phase',
    pod: pod('test2', { containers: containers(2) }, {
      phase: 'podPhase' as 'Pending',
      containerStatuses: [
        cs({ ready: true, restartCount: 3, state: running }),
        cs({ restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } }),
      ],
    }),
    want: ['test2', '1/2', 'ContainerWaitingReason', '6'],
  },
  {
    name: 'the first container\'s state wins over later ones',
    pod: pod('test3', { containers: containers(2) }, {
      phase: 'podPhase' as 'Pending',
      containerStatuses: [
        cs({ restartCount: 3, state: { waiting: { reason: 'ContainerWaitingReason' } } }),
        cs({ restartCount: 3, state: { terminated: { exitCode: 0, reason: 'ContainerTerminatedReason' } } }),
      ],
    }),
    want: ['test3', '0/2', 'ContainerWaitingReason', '6'],
  },
  {
    name: 'ready without running is not counted',
    pod: pod('test4', { containers: containers(2) }, {
      phase: 'podPhase' as 'Pending',
      containerStatuses: [cs({ ready: true, restartCount: 3, state: running }), cs({ ready: true, restartCount: 3 })],
    }),
    want: ['test4', '1/2', 'podPhase', '6'],
  },
  {
    name: 'status.reason replaces the phase',
    pod: pod('test5', { containers: containers(2) }, {
      reason: 'podReason',
      phase: 'podPhase' as 'Pending',
      containerStatuses: [cs({ ready: true, restartCount: 3, state: running }), cs({ ready: true, restartCount: 3 })],
    }),
    want: ['test5', '1/2', 'podReason', '6'],
  },
  {
    name: 'one completed and one running container without Ready condition: NotReady',
    pod: pod('test6', { containers: containers(2) }, {
      phase: 'Running',
      containerStatuses: [
        cs({ ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } }),
        cs({ ready: true, restartCount: 3, state: running }),
      ],
    }),
    want: ['test6', '1/2', 'NotReady', '6'],
  },
  {
    name: 'one completed and one running container with Ready condition: Running',
    pod: pod('test6', { containers: containers(2) }, {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        cs({ ready: true, restartCount: 3, state: { terminated: { reason: 'Completed', exitCode: 0 } } }),
        cs({ ready: true, restartCount: 3, state: running }),
      ],
    }),
    want: ['test6', '1/2', 'Running', '6'],
  },
  {
    name: 'a restarting init container: Init:0/1 and its restarts with their age',
    pod: pod('test7', { initContainers: containers(1), containers: containers(1) }, {
      phase: 'podPhase' as 'Pending',
      initContainerStatuses: [cs({ restartCount: 3, state: running, lastState: restartedAgo(10) })],
      containerStatuses: [cs({ state: { waiting: {} } })],
    }),
    want: ['test7', '0/1', 'Init:0/1', '3 (10s ago)'],
  },
  {
    name: 'two init containers, the first restarting',
    pod: pod('test8', { initContainers: containers(2), containers: containers(1) }, {
      phase: 'podPhase' as 'Pending',
      initContainerStatuses: [
        cs({ restartCount: 3, state: running, lastState: restartedAgo(10) }),
        cs({ state: { waiting: {} } }),
      ],
      containerStatuses: [cs({ state: { waiting: {} } })],
    }),
    want: ['test8', '0/1', 'Init:0/2', '3 (10s ago)'],
  },
  {
    name: 'first init container done, second restarting',
    pod: pod('test9', { initContainers: containers(2), containers: containers(1) }, {
      phase: 'podPhase' as 'Pending',
      initContainerStatuses: [
        cs({ state: { terminated: { exitCode: 0 } } }),
        cs({ restartCount: 3, state: running, lastState: restartedAgo(10) }),
      ],
      containerStatuses: [cs({ state: { waiting: {} } })],
    }),
    want: ['test9', '0/1', 'Init:1/2', '3 (10s ago)'],
  },
  {
    name: 'init restarts add up and the latest restart wins',
    pod: pod('test10', { initContainers: containers(2), containers: containers(1) }, {
      phase: 'podPhase' as 'Pending',
      initContainerStatuses: [
        cs({ restartCount: 2, state: { terminated: { exitCode: 0 } }, lastState: restartedAgo(120) }),
        cs({ restartCount: 3, state: running, lastState: restartedAgo(10) }),
      ],
      containerStatuses: [cs({ state: { waiting: {} } })],
    }),
    want: ['test10', '0/1', 'Init:1/2', '5 (10s ago)'],
  },
  {
    name: 'after initialisation only the app containers\' restarts count',
    pod: pod('test11', { initContainers: containers(1), containers: containers(1) }, {
      phase: 'Running',
      initContainerStatuses: [cs({ restartCount: 2, state: { terminated: { exitCode: 0 } }, lastState: restartedAgo(120) })],
      containerStatuses: [cs({ restartCount: 4, state: running, lastState: restartedAgo(20) })],
    }),
    want: ['test11', '0/1', 'Running', '4 (20s ago)'],
  },
  {
    name: 'a restart five days ago',
    pod: pod('test12', { containers: containers(1) }, {
      phase: 'Running',
      containerStatuses: [cs({ ready: true, restartCount: 3, state: running, lastState: restartedAgo(5 * 86400) })],
    }),
    want: ['test12', '1/1', 'Running', '3 (5d ago)'],
  },
  {
    name: 'only one of two containers restarted',
    pod: pod('test13', { containers: containers(2) }, {
      phase: 'Running',
      containerStatuses: [
        cs({ ready: true, state: running }),
        cs({ ready: true, restartCount: 3, state: running, lastState: restartedAgo(10 * 86400) }),
      ],
    }),
    want: ['test13', '2/2', 'Running', '3 (10d ago)'],
  },
  {
    name: 'the most recent of two restarts is shown',
    pod: pod('test14', { containers: containers(2) }, {
      phase: 'Running',
      containerStatuses: [
        cs({ ready: true, restartCount: 6, state: running, lastState: restartedAgo(5 * 86400) }),
        cs({ ready: true, restartCount: 3, state: running, lastState: restartedAgo(20 * 86400) }),
      ],
    }),
    want: ['test14', '2/2', 'Running', '9 (5d ago)'],
  },
  {
    name: 'scheduling gates: SchedulingGated',
    pod: pod('test15', { containers: containers(2) }, {
      phase: 'podPhase' as 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
    }),
    want: ['test15', '0/2', 'SchedulingGated', '0'],
  },
  {
    name: 'succeeded: Completed',
    pod: pod('test16', { containers: containers(1) }, {
      phase: 'Succeeded',
      containerStatuses: [cs({ state: { terminated: { reason: 'Completed', exitCode: 0 } } })],
    }),
    want: ['test16', '0/1', 'Completed', '0'],
  },
  {
    name: 'failed: Error',
    pod: pod('test17', { containers: containers(1) }, {
      phase: 'Failed',
      containerStatuses: [cs({ state: { terminated: { reason: 'Error', exitCode: 1 } } })],
    }),
    want: ['test17', '0/1', 'Error', '0'],
  },
  {
    name: 'a finished Pod being deleted keeps its final status',
    pod: pod('test18', { containers: containers(1) }, {
      phase: 'Succeeded',
      containerStatuses: [cs({ state: { terminated: { reason: 'Completed', exitCode: 0 } } })],
    }, { deletionTimestamp: ago(10) }),
    want: ['test18', '0/1', 'Completed', '0'],
  },
  {
    name: 'a running Pod being deleted: Terminating',
    pod: pod('test19', { containers: containers(1) }, {
      phase: 'Running',
      containerStatuses: [cs({ state: running })],
    }, { deletionTimestamp: ago(10) }),
    want: ['test19', '0/1', 'Terminating', '0'],
  },
  {
    name: 'a pending Pod being deleted: Terminating',
    pod: pod('test20', { containers: containers(1) }, { phase: 'Pending' }, { deletionTimestamp: ago(10) }),
    want: ['test20', '0/1', 'Terminating', '0'],
  },
  {
    name: 'a deleted Pod on a lost node: Unknown',
    pod: pod('lost', { containers: containers(1) }, { phase: 'Running', reason: 'NodeLost' }, { deletionTimestamp: ago(10) }),
    want: ['lost', '0/1', 'Unknown', '0'],
  },
  {
    name: 'a container still being created: ContainerCreating',
    pod: pod('new', { containers: containers(1) }, {
      phase: 'Pending',
      containerStatuses: [cs({ state: { waiting: { reason: 'ContainerCreating' } } })],
    }),
    want: ['new', '0/1', 'ContainerCreating', '0'],
  },
  {
    name: 'a crashing container: CrashLoopBackOff',
    pod: pod('crash', { containers: containers(1) }, {
      phase: 'Running',
      containerStatuses: [cs({ restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5) } } })],
    }),
    want: ['crash', '0/1', 'CrashLoopBackOff', '2 (5s ago)'],
  },
  {
    name: 'a failed init container: Init:Error, Init:ExitCode, Init:Signal',
    pod: pod('initfail', { initContainers: containers(1), containers: containers(1) }, {
      phase: 'Pending',
      initContainerStatuses: [cs({ state: { terminated: { exitCode: 2, reason: 'Error' } } })],
    }),
    want: ['initfail', '0/1', 'Init:Error', '0'],
  },
  {
    name: 'an init container killed by a signal without reason',
    pod: pod('initsig', { initContainers: containers(1), containers: containers(1) }, {
      phase: 'Pending',
      initContainerStatuses: [cs({ state: { terminated: { exitCode: 137, signal: 9 } } })],
    }),
    want: ['initsig', '0/1', 'Init:Signal:9', '0'],
  },
  {
    name: 'an app container exited without reason: ExitCode',
    pod: pod('exit', { containers: containers(1) }, {
      phase: 'Running',
      containerStatuses: [cs({ state: { terminated: { exitCode: 3 } } })],
    }),
    want: ['exit', '0/1', 'ExitCode:3', '0'],
  },
  {
    name: 'an init container waiting with a reason: Init:<reason>',
    pod: pod('initpull', { initContainers: containers(1), containers: containers(1) }, {
      phase: 'Pending',
      initContainerStatuses: [cs({ state: { waiting: { reason: 'ErrImagePull' } } })],
    }),
    want: ['initpull', '0/1', 'Init:ErrImagePull', '0'],
  },
  // Sidecars (init containers with restartPolicy Always) — upstream's TestPrintPodWithRestartableInitContainer.
  {
    name: 'sidecars not started yet',
    pod: pod('test1', { initContainers: [sidecar('r1'), sidecar('r2')], containers: containers(1) }, {
      phase: 'Pending',
      conditions: [{ type: 'Initialized', status: 'False' }],
      initContainerStatuses: [
        cs({ name: 'r1', restartCount: 3, state: running, started: false, lastState: restartedAgo(10) }),
        cs({ name: 'r2', state: { waiting: {} }, started: false }),
      ],
      containerStatuses: [cs({ state: { waiting: {} } })],
    }),
    want: ['test1', '0/3', 'Init:0/2', '3 (10s ago)'],
  },
  {
    name: 'first sidecar started, second running but not started',
    pod: pod('test1', { initContainers: [sidecar('r1'), sidecar('r2')], containers: containers(1) }, {
      phase: 'Pending',
      conditions: [{ type: 'Initialized', status: 'False' }],
      initContainerStatuses: [
        cs({ name: 'r1', restartCount: 3, state: running, started: true, lastState: restartedAgo(10) }),
        cs({ name: 'r2', state: running, started: false }),
      ],
      containerStatuses: [cs({ state: { waiting: {} } })],
    }),
    want: ['test1', '0/3', 'Init:1/2', '3 (10s ago)'],
  },
  {
    name: 'sidecars started and the app container running',
    pod: pod('test2', { initContainers: [sidecar('r1'), sidecar('r2')], containers: containers(1) }, {
      phase: 'Running',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [
        cs({ name: 'r1', restartCount: 3, state: running, started: true, lastState: restartedAgo(10) }),
        cs({ name: 'r2', state: running, started: true }),
      ],
      containerStatuses: [cs({ ready: true, restartCount: 4, state: running, lastState: restartedAgo(20) })],
    }),
    want: ['test2', '1/3', 'Running', '7 (10s ago)'],
  },
  {
    name: 'sidecars killed after the app container completed',
    pod: pod('test3', { initContainers: [sidecar('r1'), sidecar('r2')], containers: containers(1) }, {
      phase: 'Succeeded',
      conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [
        cs({ name: 'r1', restartCount: 3, state: { terminated: { reason: 'Error', exitCode: 137 } }, started: false, lastState: restartedAgo(10) }),
        cs({ name: 'r2', state: { terminated: { reason: 'Error', exitCode: 137 } }, started: false }),
      ],
      containerStatuses: [cs({ restartCount: 4, state: { terminated: { reason: 'Completed', exitCode: 0 } }, lastState: restartedAgo(20) })],
    }),
    want: ['test3', '0/3', 'Completed', '7 (10s ago)'],
  },
  {
    name: 'statuses for containers the spec does not have',
    pod: pod('test4', { initContainers: [{ name: 'init1' }, sidecar('sidecar1')], containers: [{ name: 'container1' }] }, {
      phase: 'Running',
      initContainerStatuses: [cs({ name: 'initinvalid' }), cs({ name: 'init1' }), cs({ name: 'sidecar1' })],
      containerStatuses: [cs({ name: 'containerinvalid' }), cs({ name: 'container1' })],
    }),
    want: ['test4', '0/2', 'Init:0/2', '0'],
  },
];

for (const c of cases) {
  test(`pod row: ${c.name}`, () => {
    const cells = narrowCellsOf('pods', '', c.pod);
    // AGE is <unknown>: the fixtures have no creation time, as upstream's.
    assert.deepEqual(cells, [...c.want, '<unknown>']);
  });
}

test('pod wide columns: IP, NODE, NOMINATED NODE, READINESS GATES', () => {
  const p = pod('test1', { containers: containers(2), nodeName: 'test1', readinessGates: [
    { conditionType: 'condition1' }, { conditionType: 'condition2' }, { conditionType: 'condition3' },
  ] }, {
    phase: 'podPhase' as 'Pending',
    conditions: [{ type: 'condition1', status: 'False' }, { type: 'condition2', status: 'True' }],
    podIPs: [{ ip: '1.1.1.1' }],
    containerStatuses: [cs({ ready: true, restartCount: 3, state: running }), cs({ restartCount: 3 })],
    nominatedNodeName: 'node1',
  } as Pod['status']);
  assert.deepEqual(cellsOf('pods', '', p), ['test1', '1/2', 'podPhase', '6', '<unknown>', '1.1.1.1', 'test1', 'node1', '1/3']);
});

test('pod wide columns default to <none>', () => {
  const p = pod('bare', { containers: containers(1) }, { phase: 'Pending' });
  assert.deepEqual(cellsOf('pods', '', p).slice(5), ['<none>', '<none>', '<none>', '<none>']);
});

test('pod age comes from creationTimestamp', () => {
  const p = pod('aged', { containers: containers(1) }, { phase: 'Pending' }, { creationTimestamp: ago(182) });
  assert.equal(cellsOf('pods', '', p)[4], '3m2s');
});

test('finished pods carry a Completed row condition, running ones none', () => {
  const done = pod('done', { containers: containers(1) }, { phase: 'Succeeded' });
  const failed = pod('failed', { containers: containers(1) }, { phase: 'Failed' });
  const live = pod('live', { containers: containers(1) }, { phase: 'Running' });
  const t = toTable(printerFor('pods', ''), [done, failed, live], { now: NOW });
  assert.deepEqual(t.rows[0]!.conditions, [
    { type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' },
  ]);
  assert.deepEqual(t.rows[1]!.conditions, [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
  assert.equal('conditions' in t.rows[2]!, false);
});

test('pod columns and priorities', () => {
  const t = toTable(printerFor('pods', ''), [], { now: NOW });
  assert.deepEqual(
    t.columnDefinitions.map((c) => [c.name, c.type, c.priority]),
    [
      ['Name', 'string', 0],
      ['Ready', 'string', 0],
      ['Status', 'string', 0],
      ['Restarts', 'string', 0],
      ['Age', 'string', 0],
      ['IP', 'string', 1],
      ['Node', 'string', 1],
      ['Nominated Node', 'string', 1],
      ['Readiness Gates', 'string', 1],
    ],
  );
  assert.equal(t.columnDefinitions[0]!.format, 'name');
});
