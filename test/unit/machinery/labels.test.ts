// Label selectors, with upstream's labels/selector_test.go cases as data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LabelSelector,
  labelSelectorAsSelector,
  newRequirement,
  parseLabelSelector,
  selectorFromSet,
} from '../../../src/machinery/labels/index.js';
import { StatusError } from '../../../src/machinery/status.js';

function parseError(s: string): StatusError {
  try {
    parseLabelSelector(s);
  } catch (e) {
    assert.ok(e instanceof StatusError);
    return e;
  }
  assert.fail(`expected ${JSON.stringify(s)} not to parse`);
}

test('good selectors print back without spaces (TestSelectorParse)', () => {
  for (const s of ['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=', 'x= ', 'x=,z= ', 'x= ,z= ', '!x', 'x>1', 'x>1,z<5']) {
    assert.equal(parseLabelSelector(s).toString(), s.replaceAll(' ', ''), s);
  }
});

test('bad selectors are 400 BadRequest (TestSelectorParse)', () => {
  for (const s of ['x=a||y=b', 'x==a==b', '!x=a', 'x<a']) {
    const e = parseError(s);
    assert.equal(e.code, 400);
    assert.equal(e.reason, 'BadRequest');
  }
});

test('parse errors carry upstream wording', () => {
  const cases: [string, string][] = [
    ['env IN (a)', "unable to parse requirement: found 'IN', expected: in, notin, =, ==, !=, gt, lt"],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x,,y', "found ',', expected: identifier after ','"],
    [',x,y', "found ',', expected: !, identifier, or 'end of string'"],
    ['a in (xyz),', "found '', expected: identifier after ','"],
    ['a notin(', "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ['a in (xyz abc)', "unable to parse requirement: found 'abc', expected: ',' or ')'"],
    ['(', "found '(', expected: !, identifier, or 'end of string'"],
    ['a (', "unable to parse requirement: found '(', expected: in, notin, =, ==, !=, gt, lt"],
    ['x in y', "unable to parse requirement: found 'y' expected: '('"],
    [
      'x<a',
      `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    [
      'app:monolith',
      `unable to parse requirement: <nil>: Invalid value: "app:monolith": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ],
    [
      'app.kubernetes_io/name=x',
      `unable to parse requirement: <nil>: Invalid value: "app.kubernetes_io/name": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    ],
    [
      'a/b/c ?=? def',
      `unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ],
    [
      'a=b$',
      `unable to parse requirement: values[0][a]: Invalid value: "b$": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
  ];
  for (const [s, msg] of cases) assert.equal(parseError(s).message, msg, s);
});

test('set-based parsing (TestSetSelectorParser): canonical output', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['\rx', 'x'],
    ['this-is-a-dns.domain.com/key-with-dash', 'this-is-a-dns.domain.com/key-with-dash'],
    ['this-is-another-dns.domain.com/key-with-dash in (so,what)', 'this-is-another-dns.domain.com/key-with-dash in (so,what)'],
    ['0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)', '0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)'],
    ['foo  in\t (abc)', 'foo in (abc)'],
    ['x notin\n (abc)', 'x notin (abc)'],
    ['x  notin\t\t\t(abc,def)', 'x notin (abc,def)'],
    ['x in (abc,)', 'x in (,abc)'],
    ['x in ()', 'x in ()'],
    ['x notin (abc,,def),bar,z in (),w', 'bar,w,x notin (,abc,def),z in ()'],
    ['x,y in (a)', 'x,y in (a)'],
    ['x=a,y!=b,z in (h,i,j)', 'x=a,y!=b,z in (h,i,j)'],
    ['x notin ( )', 'x notin ()'],
    ['x notin (, a)', 'x notin (,a)'],
    ['a ', 'a'],
    ['a in (x,y,notin, z,in)', 'a in (in,notin,x,y,z)'],
    ['x in (b,a,b)', 'x in (a,b)'],
    ['x==a', 'x==a'],
  ];
  for (const [s, out] of cases) assert.equal(parseLabelSelector(s).toString(), out, s);
  for (const s of ['x=a||y=b', 'x,,y', ',x,y', 'x nott in (y)', 'a in (xyz),', 'a in (xyz)b notin ()', 'a in (xyz abc)', 'a notin(', 'a (', '(']) {
    parseError(s);
  }
});

test('requirements are sorted by key so parsing is deterministic', () => {
  assert.equal(parseLabelSelector('x=a,a=x').toString(), parseLabelSelector('a=x,x=a').toString());
  assert.equal(parseLabelSelector('z,y in (b,a),x!=c').toString(), 'x!=c,y in (a,b),z');
});

test('matching (TestSelectorMatches)', () => {
  const match: [string, Record<string, string>][] = [
    ['', { x: 'y' }],
    ['x=y', { x: 'y' }],
    ['x=y,z=w', { x: 'y', z: 'w' }],
    ['x!=y,z!=w', { x: 'z', z: 'a' }],
    ['notin=in', { notin: 'in' }],
    ['x', { x: 'z' }],
    ['!x', { y: 'z' }],
    ['x>1', { x: '2' }],
    ['x<1', { x: '0' }],
    ['foo=bar,baz=blah', { foo: 'bar', baz: 'blah' }],
    ['x notin (a)', {}],
    ['x in (a,b)', { x: 'b' }],
    ['x notin ()', { y: '' }],
  ];
  const noMatch: [string, Record<string, string>][] = [
    ['x=z', {}],
    ['x=y', { x: 'z' }],
    ['x=y,z=w', { x: 'w', z: 'w' }],
    ['x!=y,z!=w', { x: 'z', z: 'w' }],
    ['x', { y: 'z' }],
    ['!x', { x: 'z' }],
    ['x>1', { x: '0' }],
    ['x<1', { x: '2' }],
    ['x>1', { x: 'v2' }],
    ['foo=bar,foobar=bar,baz=blah', { foo: 'bar', baz: 'blah' }],
    ['x in ()', { y: 'baz' }],
    ['x notin (),!y', { y: '' }],
  ];
  for (const [s, set] of match) assert.equal(parseLabelSelector(s).matches(set), true, `${s} ~ ${JSON.stringify(set)}`);
  for (const [s, set] of noMatch) assert.equal(parseLabelSelector(s).matches(set), false, `${s} !~ ${JSON.stringify(set)}`);
});

test('everything, nothing and selectorFromSet', () => {
  assert.ok(LabelSelector.everything().matches({ x: 'y' }));
  assert.ok(LabelSelector.everything().empty());
  assert.equal(LabelSelector.nothing().matches({}), false);
  assert.equal(LabelSelector.nothing().empty(), false);
  const s = selectorFromSet({ b: '2', a: '1' });
  assert.equal(s.toString(), 'a=1,b=2');
  assert.ok(s.matches({ a: '1', b: '2', c: '3' }));
  assert.equal(s.matches({ a: '1' }), false);
  assert.ok(selectorFromSet({}).empty());
  assert.ok(selectorFromSet(undefined).matches({ any: 'thing' }));
});

test('requiresExactMatch (TestRequiresExactMatch)', () => {
  assert.equal(parseLabelSelector('key=value').requiresExactMatch('key'), 'value');
  assert.equal(parseLabelSelector('key==value').requiresExactMatch('key'), 'value');
  assert.equal(parseLabelSelector('key in (value)').requiresExactMatch('key'), 'value');
  assert.equal(parseLabelSelector('key in (a,b)').requiresExactMatch('key'), undefined);
  assert.equal(parseLabelSelector('key!=value').requiresExactMatch('key'), undefined);
  assert.equal(parseLabelSelector('key=value').requiresExactMatch('other'), undefined);
});

test('newRequirement validation (TestRequirementConstructor)', () => {
  const bad: [string, string, string[] | null, string][] = [
    ['x1', 'in', [], `values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty`],
    ['x5', '=', ['bar', 'foo'], `values: Invalid value: []string{"bar", "foo"}: exact-match compatibility requires one single value`],
    ['x8', 'exists', ['foo'], `values: Invalid value: []string{"foo"}: values set must be empty for exists and does not exist`],
    ['x13', 'gt', [], `values: Invalid value: []string{}: for 'Gt', 'Lt' operators, exactly one value is required`],
    ['x14', 'gt', ['bar'], `values[0]: Invalid value: "bar": for 'Gt', 'Lt' operators, the value must be an integer`],
    ['a'.repeat(254), 'exists', [], `key: Invalid value: "${'a'.repeat(254)}": name part must be no more than 63 characters`],
    [
      'x17',
      '=',
      ['a b'],
      `values[0][x17]: Invalid value: "a b": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
    [
      'x18',
      'unsupportedOp',
      [],
      `operator: Unsupported value: "unsupportedOp": supported values: "in", "notin", "=", "==", "!=", "gt", "lt", "exists", "!"`,
    ],
  ];
  for (const [k, op, vals, msg] of bad) assert.throws(() => newRequirement(k, op, vals), { message: msg }, k);
  assert.throws(() => newRequirement('x16', '=', ['a'.repeat(254)]), {
    message: `values[0][x16]: Invalid value: "${'a'.repeat(254)}": must be no more than 63 characters`,
  });
  // Several problems are reported together, as an aggregate in brackets.
  assert.throws(() => newRequirement('a b', 'in', []), {
    message: `[key: Invalid value: "a b": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]'), values: Invalid value: []string{}: for 'in', 'notin' operators, values set can't be empty]`,
  });
  for (const [k, op, vals] of [['x3', 'in', ['foo']], ['x6', 'exists', []], ['x7', '!', []], ['x11', 'gt', ['1']], ['x12', 'lt', ['6']]] as const) {
    assert.doesNotThrow(() => newRequirement(k, op, [...vals]));
  }
});

test('toString with every operator (TestToString)', () => {
  const sel = LabelSelector.fromRequirements([
    newRequirement('x', 'gt', ['2']),
    newRequirement('y', 'lt', ['8']),
    newRequirement('z', 'exists', []),
  ]);
  assert.equal(sel.toString(), 'x>2,y<8,z');
  const sel2 = LabelSelector.fromRequirements([
    newRequirement('x', 'notin', ['def', 'abc']),
    newRequirement('y', '!=', ['jkl']),
    newRequirement('z', '!', []),
  ]);
  assert.equal(sel2.toString(), 'x notin (abc,def),y!=jkl,!z');
  assert.equal(sel2.add(newRequirement('a', '==', ['b'])).toString(), 'a==b,x notin (abc,def),y!=jkl,!z');
});

test('labelSelectorAsSelector (metav1.LabelSelectorAsSelector)', () => {
  assert.equal(labelSelectorAsSelector(undefined).matches({}), false);
  assert.ok(labelSelectorAsSelector({}).empty());
  const s = labelSelectorAsSelector({
    matchLabels: { app: 'web', tier: 'front' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'dev'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'zone', operator: 'NotIn', values: ['b'] },
      { key: 'owner', operator: 'Exists' },
    ],
  });
  assert.equal(s.toString(), 'app=web,!canary,env in (dev,prod),owner,tier=front,zone notin (b)');
  assert.ok(s.matches({ app: 'web', tier: 'front', env: 'prod', owner: 'me' }));
  assert.equal(s.matches({ app: 'web', tier: 'front', env: 'prod', owner: 'me', canary: 'y' }), false);

  const cases: [Parameters<typeof labelSelectorAsSelector>[0], string][] = [
    [{ matchExpressions: [{ key: 'name', operator: 'Seriously' as never }] }, '"Seriously" is not a valid label selector operator'],
    [
      { matchExpressions: [{ key: 'name', operator: 'In', values: [] }] },
      "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    ],
    [
      { matchExpressions: [{ key: 'name', operator: 'Exists', values: ['a'] }] },
      'values: Invalid value: []string{"a"}: values set must be empty for exists and does not exist',
    ],
    [
      { matchLabels: { 'bad key': 'v' } },
      `key: Invalid value: "bad key": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ],
  ];
  for (const [ps, msg] of cases) assert.throws(() => labelSelectorAsSelector(ps), { code: 400, message: msg });
});
