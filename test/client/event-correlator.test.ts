// The event correlator's decisions with a controlled clock: repeats within ten minutes, the
// aggregation of similar messages, and the spam filter.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from '../../src/api/core.js';
import { EventCorrelator } from '../../src/client/event-correlator.js';

function ev(c: EventCorrelator, at: Date, message: string, name = 'obj'): Event {
  const ts = at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    metadata: { name: c.eventName(name, at), namespace: 'ns' },
    involvedObject: { kind: 'Pod', namespace: 'ns', name, uid: 'u1', apiVersion: 'v1' },
    reason: 'Failed',
    message,
    source: { component: 'test' },
    firstTimestamp: ts,
    lastTimestamp: ts,
    count: 1,
    type: 'Warning',
    reportingComponent: 'test',
    reportingInstance: '',
  };
}

describe('EventCorrelator', () => {
  it('repeats within ten minutes patch the first Event; later ones start anew', () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const c = new EventCorrelator(() => now);
    const first = c.correlate(ev(c, now, 'm'));
    assert.equal(first.patch, undefined);
    assert.match(first.event.metadata.name!, /^obj\.[0-9a-f]+$/);
    now = new Date(now.getTime() + 5 * 60_000);
    const second = c.correlate(ev(c, now, 'm'));
    assert.equal(second.event.metadata.name, first.event.metadata.name);
    assert.equal(second.event.count, 2);
    assert.equal(second.event.firstTimestamp, '2026-01-01T00:00:00Z');
    assert.deepEqual(second.patch, { count: 2, lastTimestamp: '2026-01-01T00:05:00Z', message: 'm' });
    now = new Date(now.getTime() + 11 * 60_000);
    const third = c.correlate(ev(c, now, 'm'));
    assert.equal(third.patch, undefined);
    assert.notEqual(third.event.metadata.name, first.event.metadata.name);
    assert.equal(third.event.count, 1);
  });

  it('the 10th distinct message with the same reason becomes a combined Event, then counts up', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const c = new EventCorrelator(() => now);
    for (let i = 0; i < 9; i++) assert.equal(c.correlate(ev(c, now, `m${i}`)).event.message, `m${i}`);
    const combined = c.correlate(ev(c, now, 'm9'));
    assert.equal(combined.event.message, '(combined from similar events): m9');
    assert.equal(combined.patch, undefined);
    const next = c.correlate(ev(c, now, 'm10'));
    assert.equal(next.event.metadata.name, combined.event.metadata.name);
    assert.deepEqual(next.patch, { count: 2, lastTimestamp: '2026-01-01T00:00:00Z', message: '(combined from similar events): m10' });
  });

  it('a source may burst 25 events about an object, then one per 5 minutes', () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const c = new EventCorrelator(() => now);
    const skipped = Array.from({ length: 30 }, () => c.correlate(ev(c, now, 'same')).skip);
    assert.equal(skipped.filter((s) => !s).length, 25);
    assert.equal(c.correlate(ev(c, now, 'other', 'another-object')).skip, false, 'per object');
    now = new Date(now.getTime() + 300_000);
    assert.equal(c.correlate(ev(c, now, 'same')).skip, false);
    assert.equal(c.correlate(ev(c, now, 'same')).skip, true);
  });
});
