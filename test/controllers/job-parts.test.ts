// The Job controller's pure parts: completed-index intervals, failure back-off, and the
// `kubectl get jobs` cells that read the status they produce.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../src/api/batch.js';
import { jobPrinter, jobStatusCell } from '../../src/apiserver/tables/batch.js';
import { backoffDelayMs, nextBackoffRecord, remainingBackoffMs } from '../../src/controllers/job/backoff.js';
import { formatIndexes, parseIndexes } from '../../src/controllers/job/indexes.js';
import { matchSuccessPolicy } from '../../src/controllers/job/success-policy.js';

describe('completed indexes', () => {
  it('formats ordered intervals and parses them back, dropping indexes beyond completions', () => {
    assert.equal(formatIndexes([4, 0, 2, 1, 7, 8]), '0-2,4,7-8');
    assert.equal(formatIndexes([]), '');
    assert.deepEqual([...parseIndexes('0-2,4,7-8', 8)].sort(), [0, 1, 2, 4, 7]);
    assert.deepEqual([...parseIndexes('x,3,-1,5-4', 10)], [3]);
  });
});

describe('failure back-off', () => {
  it('10 s doubling per failure since the last success, capped at 6 minutes', () => {
    assert.deepEqual([0, 1, 2, 3, 6, 7, 100].map(backoffDelayMs), [0, 10_000, 20_000, 40_000, 320_000, 360_000, 360_000]);
  });
  it('counts from the last failure; a success starts over', () => {
    let rec = nextBackoffRecord(undefined, 0, [1_000]);
    assert.equal(remainingBackoffMs(rec, 6_000), 5_000);
    rec = nextBackoffRecord(rec, 0, [3_000]);
    assert.deepEqual(rec, { failuresAfterLastSuccess: 2, lastFailureTime: 3_000 });
    assert.equal(remainingBackoffMs(rec, 13_000), 10_000);
    rec = nextBackoffRecord(rec, 1, []);
    assert.equal(remainingBackoffMs(rec, 13_000), 0);
  });
});

describe('kubectl get jobs cells', () => {
  const base = (tweak: (j: Job) => void): Job => {
    const j: Job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'pi', creationTimestamp: '2026-12-06T03:00:00Z' },
      spec: { parallelism: 1, template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } },
      status: {},
    };
    tweak(j);
    return j;
  };
  const now = new Date('2026-12-06T03:02:00Z');
  const cond = (type: string) => ({ type, status: 'True' as const });

  it('STATUS: Complete and Failed first, then Terminating, Suspended, the interim conditions, Running', () => {
    assert.equal(jobStatusCell(base((j) => (j.status!.conditions = [cond('SuccessCriteriaMet'), cond('Complete')]))), 'Complete');
    assert.equal(jobStatusCell(base((j) => (j.status!.conditions = [cond('FailureTarget'), cond('Failed')]))), 'Failed');
    assert.equal(jobStatusCell(base((j) => (j.metadata.deletionTimestamp = '2026-12-06T03:01:00Z'))), 'Terminating');
    assert.equal(jobStatusCell(base((j) => (j.status!.conditions = [cond('Suspended')]))), 'Suspended');
    assert.equal(jobStatusCell(base((j) => (j.status!.conditions = [cond('FailureTarget')]))), 'FailureTarget');
    assert.equal(jobStatusCell(base((j) => (j.status!.conditions = [cond('SuccessCriteriaMet')]))), 'SuccessCriteriaMet');
    assert.equal(jobStatusCell(base(() => {})), 'Running');
  });

  it('COMPLETIONS and DURATION as printJob writes them', () => {
    const cells = (j: Job) => jobPrinter.cells(j, now).slice(0, 5);
    assert.deepEqual(cells(base((j) => {
      j.spec.completions = 3;
      j.status = { succeeded: 1, startTime: '2026-12-06T03:00:30Z' };
    })), ['pi', 'Running', '1/3', '90s', '2m']);
    // A work queue Job (no completions) of 3 at a time.
    assert.deepEqual(cells(base((j) => (j.spec.parallelism = 3))), ['pi', 'Running', '0/1 of 3', '', '2m']);
    assert.deepEqual(cells(base((j) => {
      j.spec.completions = 1;
      j.status = { succeeded: 1, startTime: '2026-12-06T03:00:00Z', completionTime: '2026-12-06T03:00:07Z', conditions: [cond('Complete')] };
    })), ['pi', 'Complete', '1/1', '7s', '2m']);
  });
});

describe('successPolicy', () => {
  const indexedJob = (rules: NonNullable<Job['spec']['successPolicy']>['rules']): Job => ({
    metadata: { name: 'j' },
    spec: { completionMode: 'Indexed', completions: 10, successPolicy: { rules }, template: { spec: { containers: [] } } },
  });
  it('matches the first rule the succeeded indexes satisfy (upstream matchSuccessPolicy cases)', () => {
    const cases: [string, NonNullable<Job['spec']['successPolicy']>['rules'], number[], string | undefined][] = [
      ['no succeeded indexes', [{ succeededCount: 1 }], [], undefined],
      ['succeededIndexes all done', [{ succeededIndexes: '0-2' }], [0, 1, 2, 5], 'Matched rules at index 0'],
      ['succeededIndexes partly done', [{ succeededIndexes: '0-2' }], [0, 2], undefined],
      ['succeededIndexes with succeededCount', [{ succeededIndexes: '0-2,7', succeededCount: 2 }], [2, 7], 'Matched rules at index 0'],
      ['succeededCount alone counts any index', [{ succeededIndexes: '9', succeededCount: 1 }, { succeededCount: 3 }], [1, 4, 6], 'Matched rules at index 1'],
      ['unreadable or out-of-range indexes skip the rule', [{ succeededIndexes: '12-15' }, { succeededIndexes: 'x' }, { succeededIndexes: '3' }], [3], 'Matched rules at index 2'],
    ];
    for (const [name, rules, done, want] of cases) assert.equal(matchSuccessPolicy(indexedJob(rules), new Set(done)), want, name);
    const nonIndexed = indexedJob([{ succeededCount: 1 }]);
    delete nonIndexed.spec.completionMode;
    assert.equal(matchSuccessPolicy(nonIndexed, new Set([0])), undefined);
  });
});
