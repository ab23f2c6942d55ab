// IntOrString helpers, with upstream's intstr_test.go cases as data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  getScaledValueFromIntOrPercent,
  intValue,
  isInt,
  isString,
  parseIntOrString,
} from '../../../src/machinery/intstr.js';

test('scaled values (TestGetIntFromIntOrPercent)', () => {
  const ok: [number | string, number, boolean, number][] = [
    [123, 0, false, 123],
    ['90%', 100, true, 90],
    ['90%', 95, true, 86],
    ['90%', 95, false, 85],
    ['25%', 3, true, 1],
    ['25%', 3, false, 0],
    ['0%', 10, true, 0],
    ['150%', 10, false, 15],
  ];
  for (const [v, total, up, want] of ok) assert.equal(getScaledValueFromIntOrPercent(v, total, up), want, `${v} of ${total}`);
});

test('scaled value errors carry upstream wording', () => {
  const bad: [number | string | undefined, string][] = [
    [undefined, 'nil value for IntOrString'],
    ['90', 'invalid value for IntOrString: invalid type: string is not a percentage'],
    ['90#', 'invalid value for IntOrString: invalid type: string is not a percentage'],
    ['%', 'invalid value for IntOrString: invalid value "%": strconv.Atoi: parsing "": invalid syntax'],
    ['#%', 'invalid value for IntOrString: invalid value "#%": strconv.Atoi: parsing "#": invalid syntax'],
    [
      '99999999999999999999%',
      'invalid value for IntOrString: invalid value "99999999999999999999%": strconv.Atoi: parsing "99999999999999999999": value out of range',
    ],
  ];
  for (const [v, msg] of bad) assert.throws(() => getScaledValueFromIntOrPercent(v, 10, false), { message: msg }, String(v));
});

test('int vs string', () => {
  assert.ok(isInt(80) && !isString(80));
  assert.ok(isString('http') && !isInt('http'));
  assert.equal(intValue('8080'), 8080);
  assert.equal(intValue('http'), 0);
  assert.equal(intValue(53), 53);
});

test('parse (TestParse): int32 range becomes a number, anything else a string', () => {
  assert.equal(parseIntOrString('0'), 0);
  assert.equal(parseIntOrString('2147483647'), 2147483647);
  assert.equal(parseIntOrString('-2147483648'), -2147483648);
  assert.equal(parseIntOrString('2147483648'), '2147483648');
  assert.equal(parseIntOrString('-2147483649'), '-2147483649');
  assert.equal(parseIntOrString('http'), 'http');
});
