// Custom resources through one CRD version as the registry will call it: OpenAPI validation with
// kube-openapi's messages, pruning, defaulting in upstream's order, int-or-string, embedded
// resources, ObjectMeta, status/generation handling, and hostile objects that must not throw.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorString } from '../../../../src/machinery/field.js';
import { CustomResourceVersion, type JSONSchemaProps } from '../../../../src/api/apiextensions/index.js';
import { widget, widgetCRD } from './fixtures.js';

function served(spec: JSONSchemaProps, extra = {}): CustomResourceVersion {
  const crd = widgetCRD(spec, extra);
  return new CustomResourceVersion(crd, crd.spec!.versions![0]!);
}

function create(h: CustomResourceVersion, obj: Record<string, unknown>): string[] {
  h.prepareForCreate(obj);
  return h.validate(obj).map(errorString);
}

const spec: JSONSchemaProps = {
  type: 'object',
  required: ['replicas'],
  properties: {
    replicas: { type: 'integer', minimum: 0, maximum: 10 },
    ratio: { type: 'number', exclusiveMinimum: true, minimum: 0, multipleOf: 0.5 },
    mode: { type: 'string', enum: ['fast', 'safe'] },
    name: { type: 'string', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' },
    tags: { type: 'array', minItems: 1, maxItems: 2, items: { type: 'string' } },
    set: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
    labels: { type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } },
    id: { type: 'string', format: 'uuid' },
    ip: { type: 'string', format: 'ipv4' },
    port: { 'x-kubernetes-int-or-string': true },
    note: { type: 'string', nullable: true },
  },
};
const h = served(spec);

describe('OpenAPI validation of custom resources', () => {
  it('accepts a valid object', () => {
    assert.deepEqual(create(h, widget({ replicas: 3, ratio: 1.5, mode: 'fast', name: 'abc', tags: ['a'], port: 'http', note: null, id: '123e4567-e89b-12d3-a456-426614174000' })), []);
    assert.deepEqual(create(h, widget({ replicas: 3, port: 8080 })), []);
  });

  it('words each failure as kube-openapi does', () => {
    const got = create(
      h,
      widget({
        replicas: 11,
        ratio: 0.25,
        mode: 'slow',
        name: 'ABCDEFG',
        tags: ['a', 'b', 'c'],
        set: ['x', 'x'],
        labels: { a: 'b', c: 'd' },
        id: 'nope',
        ip: '1.2.3',
      }),
    );
    assert.deepEqual(got, [
      'spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10',
      'spec.ratio: Invalid value: 0.25: spec.ratio in body should be a multiple of 0.5',
      'spec.mode: Unsupported value: "slow": supported values: "fast", "safe"',
      'spec.name: Too long: may not be more than 5 bytes',
      "spec.name: Invalid value: \"ABCDEFG\": spec.name in body should match '^[a-z]+$'",
      'spec.tags: Too many: 3: must have at most 2 items',
      'spec.set[1]: Duplicate value: "x"',
      'spec.labels: Too many: 2: must have at most 1 items',
      'spec.id: Invalid value: "nope": spec.id in body must be of type uuid: "nope"',
      'spec.ip: Invalid value: "1.2.3": spec.ip in body must be of type ipv4: "1.2.3"',
    ]);
  });

  it('reports wrong types, required fields, minimums and nulls', () => {
    assert.deepEqual(create(h, widget({ replicas: 'three', tags: [], name: 'a', port: true, ratio: 0 })), [
      // in the object's field order
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      'spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items',
      'spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long',
      'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
      'spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0',
    ]);
    assert.deepEqual(create(h, widget({})), ['spec.replicas: Required value']);
    assert.deepEqual(create(h, widget({ replicas: -1 })), ['spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0']);
  });

  it('checks kind, apiVersion and ObjectMeta (DNS-subdomain names)', () => {
    const obj = widget({ replicas: 1 }, 'Bad_Name');
    obj['kind'] = 'Gadget';
    // A wrong kind is reported alone, as ValidateTypeMeta stops upstream's validator.
    assert.deepEqual(create(h, obj), ['kind: Invalid value: "Gadget": must be Widget']);
    obj['kind'] = 'Widget';
    assert.deepEqual(create(h, obj), [
      "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
  });

  it('never throws on hostile objects: wrong types everywhere, deep nesting, huge arrays', () => {
    const hostile: unknown[] = [null, 7, 'x', [], { spec: 'x' }, { spec: { replicas: { a: [1, { b: null }] }, tags: 'no', labels: [1] } }];
    let deep: unknown = 1;
    for (let i = 0; i < 10000; i++) deep = { x: deep };
    hostile.push({ spec: { replicas: 1, extra: deep } });
    hostile.push({ spec: { replicas: 1, tags: Array.from({ length: 100_000 }, () => 'a') } });
    hostile.push(JSON.parse('{"spec": {"replicas": 1, "constructor": {"x": 1}, "__proto__": {"polluted": true}, "toString": 5}}'));
    const t = Date.now();
    for (const body of hostile) {
      const obj = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'x', namespace: 'default' }, ...(body && typeof body === 'object' && !Array.isArray(body) ? body : { spec: body }) };
      assert.doesNotThrow(() => create(h, obj as Record<string, unknown>));
    }
    assert.ok(Date.now() - t < 3000, `took ${Date.now() - t} ms`);
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined, 'no prototype pollution');
  });

  it('reports a pattern that does not compile as kube-openapi does', () => {
    // Such a CRD is refused on create; an object checked against the schema still gets words, not a throw.
    const h2 = served({ type: 'object', properties: { field: { type: 'string', pattern: '+' } } });
    assert.deepEqual(create(h2, widget({ field: 'foo' })), [
      "spec.field: Invalid value: \"foo\": spec.field in body should match '+, but pattern is invalid: error parsing regexp: missing argument to repetition operator: `+`'",
    ]);
  });

  it('matches patterns in linear time (RE2): a ReDoS pattern on a long input', () => {
    const r = served({ type: 'object', properties: { s: { type: 'string', pattern: '^(a+)+$' } } });
    const t = Date.now();
    const got = create(r, widget({ s: `${'a'.repeat(50_000)}b` }));
    assert.equal(got.length, 1);
    assert.ok(Date.now() - t < 2000, `took ${Date.now() - t} ms`);
  });
});

describe('pruning and defaulting', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      known: { type: 'string' },
      free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { n: { type: 'object', properties: { k: { type: 'string' } } } } },
      template: {
        type: 'object',
        'x-kubernetes-embedded-resource': true,
        properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } },
      },
      defaulted: {
        type: 'object',
        default: {},
        properties: { size: { type: 'integer', default: 3 }, inner: { type: 'object', default: { flag: true }, properties: { flag: { type: 'boolean' }, level: { type: 'string', default: 'info' } } } },
      },
      list: { type: 'array', items: { type: 'object', properties: { w: { type: 'integer', default: 1 }, n: { type: 'string' } } } },
      nulled: { type: 'string', default: 'd' },
      gone: { type: 'string' },
    },
  };
  const p = served(schema);

  it('drops unknown fields, keeps preserved ones and embedded apiVersion/kind/metadata, and warns', () => {
    const obj = widget({
      known: 'k',
      unknown: 1,
      free: { anything: [1], n: { k: 'v', drop: 1 } },
      template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', junk: 1 }, spec: { a: 'x', b: 'y' } },
    });
    obj['extra'] = true;
    const { warnings } = p.prepareForCreate(obj);
    assert.deepEqual(warnings.sort(), [
      'unknown field "extra"',
      'unknown field "spec.free.n.drop"',
      'unknown field "spec.template.metadata.junk"',
      'unknown field "spec.template.spec.b"',
      'unknown field "spec.unknown"',
    ]);
    const s = obj['spec'] as Record<string, unknown>;
    assert.deepEqual(s['free'], { anything: [1], n: { k: 'v' } });
    assert.deepEqual(s['template'], { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { a: 'x' } });
    assert.deepEqual(p.validate(obj).map(errorString), []);
  });

  it('applies defaults, nested ones inside defaulted objects too (upstream order), in lists, and for nulls', () => {
    const obj = widget({ list: [{ n: 'a' }, { w: 5 }], nulled: null, gone: null });
    p.prepareForCreate(obj);
    const s = obj['spec'] as Record<string, unknown>;
    assert.deepEqual(s['defaulted'], { size: 3, inner: { flag: true, level: 'info' } });
    assert.deepEqual(s['list'], [{ n: 'a', w: 1 }, { w: 5 }]);
    assert.equal(s['nulled'], 'd');
    assert.ok(!('gone' in s), 'a null without a default is dropped');
  });

  it('keeps status out of create and from the old object on update under the status subresource; bumps generation on spec changes', () => {
    const r = served({ type: 'object', properties: { a: { type: 'string' } } }, { subresources: { status: {} } });
    const obj = widget({ a: 'x' });
    obj['status'] = { phase: 'Ready' };
    r.prepareForCreate(obj);
    assert.equal(obj['status'], undefined);
    assert.equal((obj['metadata'] as { generation: number }).generation, 1);
    const old = structuredClone(obj);
    old['status'] = { phase: 'Old' };
    const same = structuredClone(old);
    same['status'] = { phase: 'New' };
    r.prepareForUpdate(same, old);
    assert.deepEqual(same['status'], { phase: 'Old' });
    assert.equal((same['metadata'] as { generation: number }).generation, 1);
    const changed = structuredClone(old);
    (changed['spec'] as Record<string, unknown>)['a'] = 'y';
    r.prepareForUpdate(changed, old);
    assert.equal((changed['metadata'] as { generation: number }).generation, 2);
  });
});

describe('status and scale subresources', () => {
  const sub = { subresources: { status: {}, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } } };
  const r = served({ type: 'object', properties: { replicas: { type: 'integer' } } }, sub);

  it('checks the scale paths\' values as ValidateScaleSpec/Status', () => {
    assert.deepEqual(create(r, widget({ replicas: -1 })), ['.spec.replicas: Invalid value: -1: should be a non-negative integer']);
    assert.deepEqual(create(r, widget({ replicas: 3000000000 })), ['.spec.replicas: Invalid value: 3000000000: should be less than or equal to 2147483647']);
    assert.deepEqual(create(r, widget({ replicas: 2 })), []);
  });

  it('a status update keeps the old spec, validates the status and the scale status paths', () => {
    const old = widget({ replicas: 2 });
    r.prepareForCreate(old);
    (old['metadata'] as Record<string, unknown>)['resourceVersion'] = '1';
    const next = structuredClone(old);
    (next['spec'] as Record<string, unknown>)['replicas'] = 9;
    next['status'] = { replicas: 'two', selector: 7 };
    r.prepareForStatusUpdate(next, old);
    assert.deepEqual(next['spec'], { replicas: 2 });
    assert.deepEqual(r.validateStatusUpdate(next, old).map(errorString), [
      '.status.replicas: Invalid value: 0: .status.replicas accessor error: two is of the type string, expected int64',
      '.status.selector: Invalid value: "": .status.selector accessor error: 7 is of the type int64, expected string',
    ]);
    next['status'] = { replicas: 2, selector: 'app=x' };
    assert.deepEqual(r.validateStatusUpdate(next, old).map(errorString), []);
  });
});

describe('printer columns', () => {
  it('evaluates the Gateway columns, filters and [*] included', () => {
    const r = served({ type: 'object', properties: { gatewayClassName: { type: 'string' } } }, {
      additionalPrinterColumns: [
        { name: 'Class', type: 'string', jsonPath: '.spec.gatewayClassName' },
        { name: 'Address', type: 'string', jsonPath: '.status.addresses[*].value' },
        { name: 'Programmed', type: 'string', jsonPath: '.status.conditions[?(@.type=="Programmed")].status' },
        { name: 'Missing', type: 'integer', jsonPath: '.status.nothing' },
        { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
      ],
    });
    const obj = {
      metadata: { name: 'gw', creationTimestamp: '2026-01-01T00:00:00Z' },
      spec: { gatewayClassName: 'kubesvc' },
      status: { addresses: [{ value: '10.0.0.1' }, { value: '10.0.0.2' }], conditions: [{ type: 'Accepted', status: 'True' }, { type: 'Programmed', status: 'False' }] },
    };
    assert.deepEqual(r.columns.columns.map((d) => d.name), ['Name', 'Class', 'Address', 'Programmed', 'Missing', 'Age']);
    // A date column is an age, as kubectl shows it.
    assert.deepEqual(r.columns.cells(obj, new Date('2026-01-01T03:01:00Z')), ['gw', 'kubesvc', '10.0.0.1,10.0.0.2', 'False', null, '3h1m']);
    assert.equal(r.columns.cells({ ...obj, metadata: { name: 'gw', creationTimestamp: 'yesterday' } }, new Date())[5], '<invalid>');
  });

  it('shows Name and Age when the CRD defines no columns', () => {
    assert.deepEqual(h.columns.columns.map((d) => d.name), ['Name', 'Age']);
  });
});
