// x-kubernetes-validations at run time: messages, messageExpression, reason, fieldPath, transition
// rules with oldSelf and optionalOldSelf, has() on any selection, escaped property names, the
// Kubernetes extension functions, and the per-call and per-object cost limits.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorString } from '../../../../src/machinery/field.js';
import { CustomResourceVersion, type JSONSchemaProps, type ValidationRule } from '../../../../src/api/apiextensions/index.js';
import { rewriteRule } from '../../../../src/api/apiextensions/cel/rewrite.js';
import { escapeCELName, unescapeCELName } from '../../../../src/api/apiextensions/cel/names.js';
import { widget, widgetCRD } from './fixtures.js';

function served(spec: JSONSchemaProps): CustomResourceVersion {
  const crd = widgetCRD(spec);
  const h = new CustomResourceVersion(crd, crd.spec!.versions![0]!);
  assert.deepEqual(h.rules.errors.map(errorString), [], 'rules compile');
  return h;
}

function check(h: CustomResourceVersion, specValue: unknown, old?: unknown): string[] {
  const obj = widget(specValue);
  h.prepareForCreate(obj);
  if (old === undefined) return h.validate(obj).map(errorString);
  const o = widget(old);
  (o['metadata'] as Record<string, unknown>)['resourceVersion'] = '1';
  (obj['metadata'] as Record<string, unknown>)['resourceVersion'] = '1';
  return h.validateUpdate(obj, o).map(errorString);
}

const obj = (rules: ValidationRule[], properties: Record<string, JSONSchemaProps> = {}): JSONSchemaProps => ({
  type: 'object',
  properties: { min: { type: 'integer' }, max: { type: 'integer' }, name: { type: 'string', maxLength: 64 }, ...properties },
  'x-kubernetes-validations': rules,
});

describe('CEL rules', () => {
  it('passes and fails with the message, or `failed rule: <rule>` without one', () => {
    const h = served(obj([{ rule: 'self.min <= self.max', message: 'min must not exceed max' }, { rule: 'self.min >= 0' }]));
    assert.deepEqual(check(h, { min: 1, max: 2 }), []);
    assert.deepEqual(check(h, { min: -3, max: -4 }), [
      'spec: Invalid value: "object": min must not exceed max',
      'spec: Invalid value: "object": failed rule: self.min >= 0',
    ]);
  });

  it('uses messageExpression, reason and fieldPath', () => {
    const h = served(
      obj([
        { rule: 'self.min <= self.max', messageExpression: '"min " + string(self.min) + " exceeds max " + string(self.max)', reason: 'FieldValueForbidden', fieldPath: '.max' },
      ]),
    );
    assert.deepEqual(check(h, { min: 5, max: 1 }), ['spec.max: Forbidden: min 5 exceeds max 1']);
  });

  it('reports a missing key as upstream: `no such key: x evaluating rule: ...`', () => {
    const h = served(obj([{ rule: 'self.min < self.max' }]));
    assert.deepEqual(check(h, { min: 1 }), ['spec: Invalid value: "object": no such key: max evaluating rule: self.min < self.max']);
  });

  it('has() tests fields of list elements and of nested objects', () => {
    const h = served(
      obj([{ rule: 'self.items.all(i, has(i.name) || has(i.ref.name))', message: 'every item needs a name' }], {
        items: { type: 'array', maxItems: 10, items: { type: 'object', properties: { name: { type: 'string' }, ref: { type: 'object', properties: { name: { type: 'string' } } } } } },
      }),
    );
    assert.deepEqual(check(h, { items: [{ name: 'a' }, { ref: { name: 'b' } }] }), []);
    assert.deepEqual(check(h, { items: [{ name: 'a' }, { ref: {} }] }), ['spec: Invalid value: "object": every item needs a name']);
    const first = served(obj([{ rule: '!has(self.items[0].name) || self.items[0].name != ""', message: 'no empty first name' }], {
      items: { type: 'array', maxItems: 10, items: { type: 'object', properties: { name: { type: 'string' } } } },
    }));
    assert.deepEqual(check(first, { items: [{ name: '' }] }), ['spec: Invalid value: "object": no empty first name']);
  });

  it('reads escaped property names (namespace → __namespace__, x-y → x__dash__y)', () => {
    assert.equal(escapeCELName('namespace'), '__namespace__');
    assert.equal(escapeCELName('a-b.c/d__e'), 'a__dash__b__dot__c__slash__d__underscores__e');
    assert.equal(unescapeCELName('a__dash__b__dot__c__slash__d__underscores__e'), 'a-b.c/d__e');
    const h = served(obj([{ rule: 'self.__namespace__ != self.x__dash__y', message: 'must differ' }], { namespace: { type: 'string' }, 'x-y': { type: 'string' } }));
    assert.deepEqual(check(h, { namespace: 'a', 'x-y': 'b' }), []);
    assert.deepEqual(check(h, { namespace: 'a', 'x-y': 'a' }), ['spec: Invalid value: "object": must differ']);
  });

  it('runs transition rules only on update, and optionalOldSelf ones on create too', () => {
    const h = served(obj([{ rule: 'self.name == oldSelf.name', message: 'name is immutable' }]));
    assert.deepEqual(check(h, { name: 'a' }), []);
    assert.deepEqual(check(h, { name: 'a' }, { name: 'a' }), []);
    assert.deepEqual(check(h, { name: 'b' }, { name: 'a' }), ['spec: Invalid value: "object": name is immutable']);
    const opt = served(obj([{ rule: '!oldSelf.hasValue() || self.name == oldSelf.value().name', message: 'frozen', optionalOldSelf: true }]));
    assert.deepEqual(check(opt, { name: 'x' }), []);
    assert.deepEqual(check(opt, { name: 'y' }, { name: 'x' }), ['spec: Invalid value: "object": frozen']);
  });

  it('types self as an object: objects compare field by field, has() tests optional fields, nested fields read as their type', () => {
    const inner: JSONSchemaProps = { type: 'object', properties: { port: { type: 'integer' }, host: { type: 'string', maxLength: 64 } } };
    const h = served(
      obj(
        [
          { rule: 'self.target == oldSelf.target', message: 'target is immutable' },
          { rule: '!has(self.target.host) || self.target.host != ""', message: 'host may not be empty' },
          { rule: 'self.targets.all(t, t.port > 0)', message: 'ports are positive' },
          { rule: "self.byName.all(k, self.byName[k].port < 65536) && (!has(self.target.port) || self.target.port in self.targets.map(t, t.port))", message: 'known port' },
        ],
        { target: inner, targets: { type: 'array', maxItems: 4, items: inner }, byName: { type: 'object', maxProperties: 4, additionalProperties: inner } },
      ),
    );
    const spec = { name: 'n', target: { port: 80 }, targets: [{ port: 80 }], byName: { a: { port: 1 } } };
    assert.deepEqual(check(h, spec), []);
    assert.deepEqual(check(h, spec, structuredClone(spec)), []);
    assert.deepEqual(check(h, { ...spec, target: { port: 81 } }, spec), ['spec: Invalid value: "object": target is immutable', 'spec: Invalid value: "object": known port']);
    assert.deepEqual(check(h, { ...spec, target: { port: 80, host: '' }, targets: [{ port: 0 }] }), [
      'spec: Invalid value: "object": host may not be empty',
      'spec: Invalid value: "object": ports are positive',
      'spec: Invalid value: "object": known port',
    ]);
  });

  it('reads formatted strings as durations, timestamps and bytes', () => {
    const h = served(
      obj(
        [
          { rule: "self.timeout <= duration('1m30s') && self.timeout.getSeconds() >= 1", message: 'timeout between 1s and 90s' },
          { rule: "self.since < timestamp('2030-01-01T00:00:00Z')", message: 'since must be before 2030' },
          { rule: 'self.key.size() == 4', message: 'key must be 4 bytes' },
        ],
        { timeout: { type: 'string', format: 'duration' }, since: { type: 'string', format: 'date-time' }, key: { type: 'string', format: 'byte' } },
      ),
    );
    assert.deepEqual(check(h, { timeout: '1m0.5s', since: '2024-05-01T10:00:00Z', key: 'AAECAw==' }), []);
    assert.deepEqual(check(h, { timeout: '2h', since: '2031-01-01T00:00:00+02:00', key: 'AAE=' }), [
      'spec: Invalid value: "object": timeout between 1s and 90s',
      'spec: Invalid value: "object": since must be before 2030',
      'spec: Invalid value: "object": key must be 4 bytes',
    ]);
  });

  it('gives the root object apiVersion, kind and metadata.name/generateName, as upstream types it', () => {
    const crd = widgetCRD({ type: 'object', properties: { name: { type: 'string', maxLength: 10 } } });
    const root = crd.spec!.versions![0]!.schema!.openAPIV3Schema!;
    root['x-kubernetes-validations'] = [{ rule: "self.metadata.name.startsWith('w') && self.kind == 'Widget' && self.spec.name == self.metadata.name", message: 'named after itself' }];
    const h = new CustomResourceVersion(crd, crd.spec!.versions![0]!);
    assert.deepEqual(h.rules.errors.map(errorString), []);
    const o = widget({ name: 'w1' });
    h.prepareForCreate(o);
    assert.deepEqual(h.validate(o).map(errorString), []);
    const bad = widget({ name: 'w2' });
    h.prepareForCreate(bad);
    assert.deepEqual(h.validate(bad).map(errorString), ['<nil>: Invalid value: "object": named after itself']);
  });

  it('correlates old list elements by list-map keys only', () => {
    const h = served({
      type: 'array',
      maxItems: 10,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['name'],
      items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, v: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= oldSelf', message: 'may only grow' }] } } },
    });
    assert.deepEqual(check(h, [{ name: 'a', v: 2 }, { name: 'b', v: 1 }], [{ name: 'a', v: 1 }]), []);
    assert.deepEqual(check(h, [{ name: 'b', v: 9 }, { name: 'a', v: 0 }], [{ name: 'a', v: 1 }, { name: 'b', v: 1 }]), ['spec[1].v: Invalid value: "integer": may only grow']);
  });

  it('offers the Kubernetes list, string, url and ip functions, and RE2 matches()', () => {
    const h = served(
      obj(
        [
          { rule: 'self.nums.isSorted() && self.nums.sum() == 6 && self.nums.min() == 1 && self.nums.max() == 3', message: 'lists' },
          { rule: 'self.name.lowerAscii() == "abc" && self.name.split("B").size() == 2 && self.name.replace("B", "x") == "AxC"', message: 'strings' },
          { rule: 'isURL("https://example.com/x") && !isURL("::") && isIP("10.0.0.1") && !isIP("10.0.0.256") && isCIDR("10.0.0.0/8")', message: 'net' },
          { rule: 'self.name.matches("^[A-C]+$") && !self.name.matches("^(a+)+$")', message: 'regex' },
        ],
        { nums: { type: 'array', maxItems: 10, items: { type: 'integer' } } },
      ),
    );
    assert.deepEqual(check(h, { name: 'ABC', nums: [1, 2, 3] }), []);
    assert.deepEqual(check(h, { name: 'ABC', nums: [3, 2, 1] }), ['spec: Invalid value: "object": lists']);
    // RE2: linear time on a pattern that makes a backtracking engine take forever, and Go's syntax.
    const redos = served(obj([{ rule: '!self.name.matches("^(a+)+$")', message: 'no' }, { rule: 'self.name.matches("(?i)^x+$")', message: 'flags' }], { name: { type: 'string' } }));
    const t = Date.now();
    assert.deepEqual(check(redos, { name: `${'a'.repeat(30)}!` }), ['spec: Invalid value: "object": flags']);
    assert.deepEqual(check(redos, { name: 'xX' }), []);
    assert.ok(Date.now() - t < 1000, `took ${Date.now() - t} ms`);
  });

  it('types format: duration and date-time fields, and converts them with string() as cel-go does', () => {
    const h = served(
      obj(
        [
          { rule: 'duration(self.timeout) <= duration("1h")', messageExpression: '"timeout " + string(self.timeout) + " is over an hour"' },
          { rule: 'self.at < timestamp("2030-01-01T00:00:00Z")', messageExpression: '"at " + string(self.at) + " is too late"' },
        ],
        { timeout: { type: 'string', format: 'duration' }, at: { type: 'string', format: 'date-time' } },
      ),
    );
    assert.deepEqual(check(h, { timeout: '30m', at: '2020-01-01T00:00:00Z' }), []);
    assert.deepEqual(check(h, { timeout: '90m1.5s', at: '2031-02-03T04:05:06.500Z' }), [
      'spec: Invalid value: "object": timeout 5401.5s is over an hour',
      'spec: Invalid value: "object": at 2031-02-03T04:05:06.5Z is too late',
    ]);
  });

  it('offers the quantity library with exact arithmetic', () => {
    const h = served(
      obj(
        [
          { rule: 'quantity(self.name).isLessThan(quantity("4Gi"))', message: 'at most 4Gi' },
          { rule: 'quantity(self.name).add(quantity("100m")).sub(quantity("100m")) == quantity(self.name)', message: 'exact' },
        ],
        {},
      ),
    );
    assert.deepEqual(check(h, { name: '3.5Gi' }), []);
    assert.deepEqual(check(h, { name: '4097Mi' }), ['spec: Invalid value: "object": at most 4Gi']);
    const [err] = check(h, { name: 'lots' });
    assert.match(err!, /^spec: Invalid value: "object": quantities must match the regular expression .* evaluating rule: at most 4Gi$/);
  });

  it('rewrites has() to the general macro outside strings only', () => {
    assert.equal(rewriteRule('has(self.a) && "has(x)" == \'has(\' && self.has(1)'), 'k8sHas(self.a) && "has(x)" == \'has(\' && self.has(1)');
    assert.equal(rewriteRule('self.matches("a") && matches(self, "b") && "matches(" != ""'), 'self.k8sMatches("a") && k8sMatches(self, "b") && "matches(" != ""');
    assert.equal(rewriteRule('r"""has(""" + has (self.b)'), 'r"""has(""" + k8sHas (self.b)');
  });

  it('stops at the per-call cost limit and at the runtime budget instead of running on', () => {
    // A list of at most 1300 passes the static limit (10^7) for a quadratic rule, but 1000 real
    // elements cost more than one evaluation may (10^6).
    const quad = served(
      obj([{ rule: 'self.l.all(x, self.l.exists(y, x == y))', message: 'quadratic' }], { l: { type: 'array', maxItems: 100, items: { type: 'integer' } } }),
    );
    assert.deepEqual(check(quad, { l: Array.from({ length: 100 }, (_, i) => i) }), []);
    const big = served({
      type: 'object',
      properties: {
        l: {
          type: 'array',
          maxItems: 1300,
          items: { type: 'string', maxLength: 1 },
          'x-kubernetes-validations': [{ rule: 'self.all(x, self.exists(y, x == y))', message: 'quadratic' }],
        },
      },
    });
    const t = Date.now();
    const got = check(big, { l: Array.from({ length: 1000 }, () => 'a') });
    assert.deepEqual(got, ['spec.l: Invalid value: "array": call cost exceeds limit for rule: quadratic']);
    assert.ok(Date.now() - t < 2000, `took ${Date.now() - t} ms`);
    // Many cheap-ish rule runs: each item runs a rule costing ~600; 20000 items exhaust 10^7.
    const many = served({
      type: 'object',
      properties: {
        l: {
          type: 'array',
          maxItems: 20000,
          items: { type: 'string', maxLength: 5000, 'x-kubernetes-validations': [{ rule: 'self.contains("zzz") == false' }] },
        },
      },
    });
    const s = 'a'.repeat(5000);
    const errs = check(many, { l: Array.from({ length: 20000 }, () => s) });
    assert.equal(errs.filter((e) => e.endsWith('validation failed due to running out of cost budget, no further validation rules will be run')).length, 1, errs.slice(0, 3).join('\n'));
  });
});
