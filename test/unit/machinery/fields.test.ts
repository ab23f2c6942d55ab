// Field selectors, with upstream's fields/selector_test.go cases as data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  escapeFieldValue,
  fieldLabelNotSupported,
  fieldSelectorFromSet,
  FieldSelector,
  parseFieldSelector,
  unescapeFieldValue,
} from '../../../src/machinery/fields/selector.js';

const getter = (set: Record<string, string>) => (f: string) => set[f];

test('good selectors print back (TestSelectorParse)', () => {
  for (const s of ['x=a,y=b,z=c', '', 'x!=a,y=b', 'x=a||y\\=b', 'x=a\\=\\=b']) {
    assert.equal(parseFieldSelector(s).toString(), s);
  }
  assert.equal(parseFieldSelector('metadata.name==x').toString(), 'metadata.name=x');
  assert.equal(parseFieldSelector('x=a,a=x').toString(), parseFieldSelector('a=x,x=a').toString());
});

test('bad selectors are 400 BadRequest with upstream wording', () => {
  const cases: [string, string][] = [
    ['x=a||y=b', 'invalid field selector: unescaped character in value: 61'],
    ['x==a==b', 'invalid field selector: unescaped character in value: 61'],
    ['x=a,b', "invalid selector: 'x=a,b'; can't understand 'b'"],
    ['x in (a)', "invalid selector: 'x in (a)'; can't understand 'x in (a)'"],
    // Terms are sorted before parsing, so the first complaint is about "b".
    ['x in (a,b,c)', "invalid selector: 'x in (a,b,c)'; can't understand 'b'"],
    ['x', "invalid selector: 'x'; can't understand 'x'"],
    ['spec.type>ClusterIP', "invalid selector: 'spec.type>ClusterIP'; can't understand 'spec.type>ClusterIP'"],
    ['k=\\a', 'invalid field selector: invalid escape sequence: \\a'],
    ['k=\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [s, msg] of cases) {
    assert.throws(() => parseFieldSelector(s), { code: 400, reason: 'BadRequest', message: msg }, s);
  }
});

test('matching with a getter (TestSelectorMatches)', () => {
  const fieldset = { foo: 'bar', baz: 'blah', complex: '=value\\,\\' };
  const yes = ['foo=bar', 'baz=blah', 'foo=bar,baz=blah', 'complex=\\=value\\\\\\,\\\\', 'foo!=x', 'missing!=x', 'missing='];
  const no = ['foo=blah', 'baz=bar', 'foo=bar,foobar=bar,baz=blah', 'foo!=bar'];
  for (const s of yes) assert.equal(parseFieldSelector(s).matches(getter(fieldset)), true, s);
  for (const s of no) assert.equal(parseFieldSelector(s).matches(getter(fieldset)), false, s);
  assert.ok(parseFieldSelector('metadata.name=web,spec.type!=ClusterIP').matches(getter({ 'metadata.name': 'web', 'spec.type': 'NodePort' })));
  assert.ok(!parseFieldSelector('metadata.name=web,spec.type!=ClusterIP').matches(getter({ 'metadata.name': 'web', 'spec.type': 'ClusterIP' })));
});

test('escaping round-trips (TestEscapeValue)', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['a', 'a'],
    ['=', '\\='],
    [',', '\\,'],
    ['\\', '\\\\'],
    ['\\=\\,\\', '\\\\\\=\\\\\\,\\\\'],
  ];
  for (const [raw, escaped] of cases) {
    assert.equal(escapeFieldValue(raw), escaped);
    assert.equal(unescapeFieldValue(escaped), raw);
  }
  for (const bad of ['\\', '\\\\\\', '\\a']) assert.throws(() => unescapeFieldValue(bad), /invalid escape sequence/);
});

test('escaped commas do not split terms (TestSplitTerms); terms are sorted as strings', () => {
  assert.deepEqual(parseFieldSelector('k=\\,,k2=v2').requirements, [
    { field: 'k2', operator: '=', value: 'v2' },
    { field: 'k', operator: '=', value: ',' },
  ]);
  assert.deepEqual(parseFieldSelector('k=\\\\,k2=v2').requirements.map((r) => r.value), ['v2', '\\']);
  assert.deepEqual(parseFieldSelector('함=수,목=록').requirements.map((r) => r.field), ['목', '함']);
  assert.deepEqual(parseFieldSelector('c!=value').requirements, [{ field: 'c', operator: '!=', value: 'value' }]);
});

test('empty, everything, from set, exact match, transform (TestTransform)', () => {
  assert.ok(FieldSelector.everything().matches(getter({ x: 'y' })));
  assert.ok(parseFieldSelector('').empty());
  assert.ok(fieldSelectorFromSet({ foo: 'bar' }).matches(getter({ foo: 'bar', baz: 'blah' })));
  assert.ok(!fieldSelectorFromSet({ foo: '=bar' }).matches(getter({ foo: 'bar' })));
  assert.equal(parseFieldSelector('test=b').requiresExactMatch('test'), 'b');
  assert.equal(parseFieldSelector('test=').requiresExactMatch('test'), '');
  assert.equal(parseFieldSelector('test!=b').requiresExactMatch('test'), undefined);
  const t = parseFieldSelector('a=b,c=d,e=f').transform((f, v) => (f === 'c' ? ['', ''] : f === 'a' ? ['e', 'f'] : [f, v]));
  assert.equal(t.toString(), 'e=f,e=f');
  assert.ok(parseFieldSelector('a=b').transform(() => ['', '']).empty());
  const e = fieldLabelNotSupported('spec.foo');
  assert.equal(e.code, 400);
  assert.equal(e.message, 'field label not supported: spec.foo');
});

test('requirement form: In/NotIn with one value, upstream errors for other operators', async () => {
  const { fieldSelectorFromRequirements } = await import('../../../src/machinery/fields/from-requirements.js');
  const s = fieldSelectorFromRequirements([
    { key: 'metadata.name', operator: 'In', values: ['web'] },
    { key: 'spec.type', operator: 'NotIn', values: ['ClusterIP'] },
  ]);
  assert.equal(s.toString(), 'metadata.name=web,spec.type!=ClusterIP');
  const cases: [{ key: string; operator: string; values?: string[] }, string][] = [
    [{ key: 'a', operator: 'Exists' }, 'fieldSelectors do not yet support Exists'],
    [{ key: 'a', operator: 'DoesNotExist' }, 'fieldSelectors do not yet support DoesNotExist'],
    [{ key: 'a', operator: 'bad', values: ['x'] }, '"bad" is not a valid field selector operator'],
    [{ key: 'a', operator: 'In', values: ['x', 'y'] }, 'fieldSelectors do not yet support multiple values'],
    [{ key: 'a', operator: 'In' }, 'fieldSelectors in must have one value'],
    [{ key: 'a', operator: 'NotIn', values: [] }, 'fieldSelectors not in must have one value'],
  ];
  for (const [r, msg] of cases) assert.throws(() => fieldSelectorFromRequirements([r]), { code: 400, message: msg });
});
