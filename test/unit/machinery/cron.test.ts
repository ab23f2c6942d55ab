// Cron schedules as robfig/cron's ParseStandard reads them, and their next times in a time zone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CronParseError, parseSchedule } from '../../../src/machinery/cron/parse.js';
import { nextAfter } from '../../../src/machinery/cron/next.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

function next(schedule: string, from: string, tz = 'UTC'): string | undefined {
  return iso(nextAfter(parseSchedule(schedule), at(from), tz));
}

describe('cron parsing', () => {
  const errors: [string, string][] = [
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['* * * * * *', 'expected exactly 5 fields, found 6: [* * * * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['*/2/3 * * * *', 'too many slashes: */2/3'],
    ['* * * foo *', 'failed to parse int from foo: strconv.Atoi: parsing "foo": invalid syntax'],
    ['* * * * 7', 'end of range (7) above maximum (6): 7'],
    ['@often', 'unrecognized descriptor: @often'],
  ];
  for (const [spec, message] of errors) {
    it(`rejects ${JSON.stringify(spec)}`, () => {
      assert.throws(() => parseSchedule(spec), (e: unknown) => e instanceof CronParseError && e.message === message);
    });
  }

  it('reads lists, ranges, steps and names', () => {
    const s = parseSchedule('0,30 9-17/2 * JAN-mar Mon-FRI');
    assert.equal(s.kind, 'spec');
    if (s.kind !== 'spec') return;
    assert.equal(s.minute.bits, (1n << 0n) | (1n << 30n));
    assert.equal(s.hour.bits, [9, 11, 13, 15, 17].reduce((b, h) => b | (1n << BigInt(h)), 0n));
    assert.equal(s.month.bits, (1n << 1n) | (1n << 2n) | (1n << 3n));
    assert.equal(s.dow.bits, [1, 2, 3, 4, 5].reduce((b, d) => b | (1n << BigInt(d)), 0n));
  });

  it('reads @every as a constant delay', () => {
    assert.deepEqual(parseSchedule('@every 1h30m'), { kind: 'every', everyMs: 90 * 60_000 });
  });
});

describe('cron next times', () => {
  const cases: [string, string, string, string?][] = [
    ['*/5 * * * *', '2026-12-06T03:02:10Z', '2026-12-06T03:05:00.000Z'],
    ['*/5 * * * *', '2026-12-06T03:05:00Z', '2026-12-06T03:10:00.000Z'],
    ['@hourly', '2026-12-06T03:00:00Z', '2026-12-06T04:00:00.000Z'],
    ['@daily', '2026-12-31T23:59:59Z', '2027-01-01T00:00:00.000Z'],
    ['@weekly', '2026-12-06T03:00:00Z', '2026-12-13T00:00:00.000Z'],
    ['@monthly', '2026-12-06T03:00:00Z', '2027-01-01T00:00:00.000Z'],
    ['@yearly', '2026-12-06T03:00:00Z', '2027-01-01T00:00:00.000Z'],
    ['0 0 29 2 *', '2026-03-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    // Day of month and day of week are ORed when both are restricted: the 13th, or any Friday.
    ['0 0 13 * 5', '2026-12-06T00:00:00Z', '2026-12-11T00:00:00.000Z'],
    // ...and ANDed when one is `*`.
    ['0 0 * 12 5', '2026-12-06T00:00:00Z', '2026-12-11T00:00:00.000Z'],
    // In a time zone: 09:00 in Berlin is 08:00 UTC in winter and 07:00 UTC in summer.
    ['0 9 * * *', '2026-12-06T09:00:00Z', '2026-12-07T08:00:00.000Z', 'Europe/Berlin'],
    ['0 9 * * *', '2026-07-01T09:00:00Z', '2026-07-02T07:00:00.000Z', 'Europe/Berlin'],
    // 02:30 does not exist on the spring-forward day in New York (2026-03-08): the next is the day after.
    ['30 2 * * *', '2026-03-07T08:00:00Z', '2026-03-09T06:30:00.000Z', 'America/New_York'],
    ['0 0 * * *', '2026-03-07T06:00:00Z', '2026-03-08T05:00:00.000Z', 'America/New_York'],
    ['0 0 * * *', '2026-03-08T06:00:00Z', '2026-03-09T04:00:00.000Z', 'America/New_York'],
  ];
  for (const [spec, from, want, tz] of cases) {
    it(`${spec} after ${from}${tz ? ` in ${tz}` : ''}`, () => assert.equal(next(spec, from, tz), want));
  }

  it('a date that never comes is never scheduled', () => {
    assert.equal(next('0 0 30 2 *', '2026-01-01T00:00:00Z'), undefined);
  });
});
