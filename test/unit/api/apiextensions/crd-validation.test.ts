// ValidateCustomResourceDefinition with upstream's field paths and messages (apiextensions-apiserver
// v0.32 pkg/apis/apiextensions/validation), including hostile CRDs: deep schemas, huge enums, bad
// regular expressions, non-structural schemas, broken and too expensive CEL rules, junk types.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorString } from '../../../../src/machinery/field.js';
import {
  defaultCustomResourceDefinition,
  validateCustomResourceDefinition,
  validateCustomResourceDefinitionUpdate,
  type CustomResourceDefinition,
  type JSONSchemaProps,
} from '../../../../src/api/apiextensions/index.js';
import { widgetCRD } from './fixtures.js';

function errs(crd: CustomResourceDefinition): string[] {
  return validateCustomResourceDefinition(crd).map(errorString);
}

const root = 'spec.versions[0].schema.openAPIV3Schema';

/** A CRD whose whole openAPIV3Schema is `schema`. */
function withRoot(schema: unknown): CustomResourceDefinition {
  const crd = widgetCRD();
  crd.spec!.versions![0]!.schema = { openAPIV3Schema: schema as JSONSchemaProps };
  return crd;
}

describe('CRD names, versions, scope and conversion', () => {
  it('accepts a minimal CRD', () => {
    assert.deepEqual(errs(widgetCRD()), []);
  });

  it('requires metadata.name to be plural.group', () => {
    const crd = widgetCRD();
    crd.metadata!.name = 'gadgets.example.com';
    assert.deepEqual(errs(crd), ['metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group']);
  });

  it('checks group, scope and names with upstream words', () => {
    const crd = widgetCRD();
    crd.spec!.group = 'example';
    crd.metadata!.name = 'widgets.example';
    crd.spec!.scope = 'Global';
    crd.spec!.names = { plural: 'Widgets', kind: 'Widget', listKind: 'Widget', shortNames: ['w_1'], categories: ['all'] };
    assert.deepEqual(errs(crd), [
      'metadata.name: Invalid value: "widgets.example": must be spec.names.plural+"."+spec.group',
      'spec.group: Invalid value: "example": should be a domain with at least one dot',
      'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
      'spec.names.singular: Required value',
      'spec.names.plural: Invalid value: "Widgets": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')',
      'spec.names.shortNames[0]: Invalid value: "w_1": a DNS-1035 label must consist of lower case alphanumeric characters or \'-\', start with an alphabetic character, and end with an alphanumeric character (e.g. \'my-name\',  or \'abc-123\', regex used for validation is \'[a-z]([-a-z0-9]*[a-z0-9])?\')',
      'spec.names.listKind: Invalid value: "Widget": kind and listKind may not be the same',
    ]);
  });

  it('defaulting fills singular and listKind from the kind, and conversion None', () => {
    const crd = widgetCRD();
    crd.spec!.names = { plural: 'widgets', kind: 'Widget' };
    defaultCustomResourceDefinition(crd);
    assert.deepEqual(crd.spec!.names, { plural: 'widgets', kind: 'Widget', singular: 'widget', listKind: 'WidgetList' });
    assert.deepEqual(crd.spec!.conversion, { strategy: 'None' });
    assert.deepEqual(errs(crd), []);
  });

  it('needs exactly one storage version and unique version names', () => {
    const crd = widgetCRD();
    const v = crd.spec!.versions![0]!;
    crd.spec!.versions!.push({ ...structuredClone(v), storage: true });
    const got = errs(crd);
    assert.ok(got.some((e) => e.startsWith('spec.versions: Invalid value: ') && e.endsWith(': must contain unique version names')), got.join('\n'));
    assert.ok(got.some((e) => e.endsWith(': must have exactly one version marked as storage version')), got.join('\n'));
    crd.spec!.versions = [];
    assert.deepEqual(errs(crd), ['spec.versions: Invalid value: []: must have exactly one version marked as storage version']);
  });

  it('allows several served versions with conversion None, one of them storage', () => {
    const crd = widgetCRD();
    const v = crd.spec!.versions![0]!;
    crd.spec!.versions!.push({ ...structuredClone(v), name: 'v1beta1', storage: false });
    crd.spec!.conversion = { strategy: 'None' };
    assert.deepEqual(errs(crd), []);
    crd.spec!.conversion = { strategy: 'Magic' };
    assert.deepEqual(errs(crd), ['spec.conversion.strategy: Unsupported value: "Magic": supported values: "None", "Webhook"']);
    crd.spec!.conversion = { strategy: 'Webhook' };
    assert.deepEqual(errs(crd), ['spec.conversion.webhook: Required value: required when strategy is set to Webhook']);
  });

  it('requires a schema per version', () => {
    const crd = widgetCRD();
    delete crd.spec!.versions![0]!.schema;
    assert.deepEqual(errs(crd), [`${root}: Required value: schemas are required`]);
  });

  it('asks protected groups for the API approval annotation', () => {
    const crd = widgetCRD();
    crd.spec!.group = 'widgets.k8s.io';
    crd.metadata!.name = 'widgets.widgets.k8s.io';
    assert.deepEqual(errs(crd), [
      'metadata.annotations[api-approved.kubernetes.io]: Required value: protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111',
    ]);
    crd.metadata!.annotations = { 'api-approved.kubernetes.io': 'unapproved, experimental' };
    assert.deepEqual(errs(crd), []);
  });

  it('keeps group and plural immutable, and scope and kind once Established', () => {
    const old = widgetCRD();
    old.metadata!.resourceVersion = '1';
    old.status = { conditions: [{ type: 'Established', status: 'True' }], storedVersions: ['v1'] };
    const next = structuredClone(old);
    next.spec!.scope = 'Cluster';
    next.spec!.names!.kind = 'Gadget';
    next.spec!.names!.listKind = 'GadgetList';
    assert.deepEqual(validateCustomResourceDefinitionUpdate(next, old).map(errorString), [
      'spec.scope: Invalid value: "Cluster": field is immutable',
      'spec.names.kind: Invalid value: "Gadget": field is immutable',
    ]);
  });
});

describe('structural schemas', () => {
  it('requires types, with the level in the message', () => {
    assert.deepEqual(errs(withRoot({ properties: { spec: { properties: { a: {}, l: { type: 'array', items: {} } } } } })), [
      `${root}.properties[spec].properties[a].type: Required value: must not be empty for specified object fields`,
      `${root}.properties[spec].properties[l].items.type: Required value: must not be empty for specified array items`,
      `${root}.properties[spec].type: Required value: must not be empty for specified object fields`,
      `${root}.type: Required value: must not be empty at the root`,
    ]);
  });

  it('forbids additionalProperties beside properties and at the root', () => {
    const got = errs(withRoot({ type: 'object', additionalProperties: { type: 'string' }, properties: { a: { type: 'string' } } }));
    assert.deepEqual(got, [
      `${root}.additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
      `${root}.additionalProperties: Forbidden: must not be used at the root`,
    ]);
  });

  it('checks the Kubernetes extensions', () => {
    const got = errs(
      withRoot({
        type: 'object',
        properties: {
          b: { type: 'string', 'x-kubernetes-embedded-resource': true },
          c: { type: 'object', 'x-kubernetes-embedded-resource': true },
          d: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false },
          e: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true },
        },
      }),
    );
    assert.deepEqual(got, [
      `${root}.properties[b].type: Invalid value: "string": must be object if x-kubernetes-embedded-resource is true`,
      `${root}.properties[b].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
      `${root}.properties[c].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
      `${root}.properties[d].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`,
      `${root}.properties[e].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`,
    ]);
  });

  it('restricts metadata at the root to name and generateName', () => {
    assert.deepEqual(errs(withRoot({ type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 10 } } } } })), []);
    assert.deepEqual(errs(withRoot({ type: 'object', properties: { metadata: { type: 'object', properties: { labels: { type: 'object' } } } } })), [
      `${root}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
    ]);
  });

  it('forbids type-determining fields inside value validations', () => {
    assert.deepEqual(
      errs(withRoot({ type: 'object', properties: { a: { type: 'string', anyOf: [{ type: 'string', description: 'x' }, { nullable: true }] } } })),
      [
        `${root}.properties[a].anyOf[0].type: Forbidden: must be empty to be structural`,
        `${root}.properties[a].anyOf[0].description: Forbidden: must be empty to be structural`,
        `${root}.properties[a].anyOf[1].nullable: Forbidden: must be false to be structural`,
      ],
    );
  });

  it('accepts the int-or-string anyOf spelling', () => {
    assert.deepEqual(
      errs(withRoot({ type: 'object', properties: { port: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } } })),
      [],
    );
  });

  it('refuses v1-unsupported keywords and uniqueItems', () => {
    assert.deepEqual(errs(withRoot({ type: 'object', properties: { a: { type: 'array', items: { type: 'string' }, uniqueItems: true }, b: { type: 'string', $ref: '#/x' } } })), [
      `${root}.properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
      `${root}.properties[b].$ref: Forbidden: $ref is not supported`,
    ]);
  });

  it('validates defaults against their schema and refuses unknown fields in them', () => {
    const got = errs(
      withRoot({
        type: 'object',
        properties: {
          replicas: { type: 'integer', default: 'three' },
          mode: { type: 'string', enum: ['a', 'b'], default: 'c' },
          obj: { type: 'object', properties: { x: { type: 'string' } }, default: { y: 1 } },
        },
      }),
    );
    assert.deepEqual(got, [
      `${root}.properties[replicas].default: Invalid value: "string": body must be of type integer: "string"`,
      `${root}.properties[mode].default: Unsupported value: "c": supported values: "a", "b"`,
      `${root}.properties[obj].default: Invalid value: {"y":1}: must not have unknown fields`,
    ]);
  });

  it('reports an invalid pattern with Go\'s regexp message', () => {
    assert.deepEqual(errs(withRoot({ type: 'object', properties: { a: { type: 'string', pattern: '([a-z]' } } })), [
      `${root}.properties[a].pattern: Invalid value: "([a-z]": must be a valid regular expression, but isn't: error parsing regexp: missing closing ): \`([a-z]\``,
    ]);
  });

  it('survives hostile schemas: 5000 levels deep, a 100k-value enum, junk in every field', () => {
    let deep: JSONSchemaProps = { type: 'string' };
    for (let i = 0; i < 5000; i++) deep = { type: 'object', properties: { x: deep } };
    const t = Date.now();
    const got = errs(withRoot(deep));
    assert.ok(got.some((e) => e.includes('must not be nested more than 256 levels deep')), got.slice(0, 3).join('\n'));
    const huge = { type: 'object', properties: { e: { type: 'string', enum: Array.from({ length: 100_000 }, (_, i) => `v${i}`), default: 'v99999' } } };
    assert.deepEqual(errs(withRoot(huge)), []);
    for (const junk of [null, 42, 'x', [], { type: 7 }, { type: 'object', properties: 'no' }, { type: 'object', properties: { a: null } }]) {
      assert.doesNotThrow(() => errs(withRoot(junk)), JSON.stringify(junk));
    }
    assert.doesNotThrow(() => validateCustomResourceDefinition({ spec: { versions: 'x' as never, names: 5 as never } }));
    assert.ok(Date.now() - t < 5000, 'bounded time');
  });
});

describe('printer columns and subresources', () => {
  it('checks column type, format and JSONPath as upstream', () => {
    const crd = widgetCRD(undefined, {
      additionalPrinterColumns: [
        { name: 'Ready', type: 'bool', jsonPath: '.status.ready' },
        { name: 'Size', type: 'integer', format: 'huge', jsonPath: 'spec.size' },
        { name: '', type: 'string', jsonPath: '' },
      ],
    });
    assert.deepEqual(errs(crd), [
      'spec.versions[0].additionalPrinterColumns[0].type: Invalid value: "bool": must be one of boolean,date,integer,number,string',
      'spec.versions[0].additionalPrinterColumns[1].format: Invalid value: "huge": must be one of byte,date,date-time,double,float,int32,int64,password',
      'spec.versions[0].additionalPrinterColumns[1].JSONPath: Invalid value: "spec.size": must be a simple json path starting with .',
      'spec.versions[0].additionalPrinterColumns[2].name: Required value',
      'spec.versions[0].additionalPrinterColumns[2].JSONPath: Required value',
    ]);
  });

  it('checks the scale subresource paths', () => {
    const crd = widgetCRD(undefined, { subresources: { status: {}, scale: { specReplicasPath: '.status.replicas', statusReplicasPath: '', labelSelectorPath: '.metadata.labels' } } });
    assert.deepEqual(errs(crd), [
      'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.replicas": should be a json path under .spec',
      'spec.versions[0].subresources.scale.statusReplicasPath: Required value',
      'spec.versions[0].subresources.scale.labelSelectorPath: Invalid value: ".metadata.labels": should be a json path under either .spec or .status',
    ]);
  });
});

describe('CEL rules at CRD creation', () => {
  const withRule = (rule: Record<string, unknown>, spec: JSONSchemaProps = { type: 'object', properties: { a: { type: 'string', maxLength: 10 } } }) =>
    widgetCRD({ ...spec, 'x-kubernetes-validations': [rule as never] });
  const rp = `${root}.properties[spec].x-kubernetes-validations[0]`;

  it('compiles valid rules', () => {
    assert.deepEqual(errs(withRule({ rule: 'self.a.startsWith("x")', message: 'must start with x' })), []);
  });

  it('reports compile errors as upstream: Invalid value: <rule>: compilation failed: ERROR: ...', () => {
    const got = errs(withRule({ rule: 'self.a +' }));
    assert.equal(got.length, 1);
    assert.match(got[0]!, new RegExp(`^${rp.replace(/[[\]().]/g, '\\$&')}\\.rule: Invalid value: \\{"rule":"self\\.a \\+"\\}: compilation failed: ERROR: <input>:1:9: `));
    const undeclared = errs(withRule({ rule: 'foo == 1' }));
    assert.match(undeclared[0]!, /compilation failed: ERROR: <input>:1:1: .*foo/);
    // Rules read back as written: renamed functions are named as the rule named them.
    assert.match(errs(withRule({ rule: 'sets.contains(1, 2)' }))[0]!, /compilation failed: ERROR: <input>:1:\d+: .*sets\.contains/);
  });

  it('refuses a constant pattern of find()/findAll() that does not compile, as cel-go’s regex optimization does', () => {
    assert.deepEqual(errs(withRule({ rule: "self.a.find('(') == ''" })), [
      `${rp}.rule: Invalid value: {"rule":"self.a.find('(') == ''"}: program instantiation failed: error parsing regexp: missing closing ): \`(\``,
    ]);
    assert.match(errs(withRule({ rule: "self.a.findAll('a{2,1}', 1).size() == 0" }))[0]!, /program instantiation failed: error parsing regexp: invalid repeat count: `\{2,1\}`/);
    // A pattern that only the object supplies is checked when the rule runs.
    assert.deepEqual(errs(withRule({ rule: "self.a.find(self.a) == ''" })), []);
  });

  it('checks field references against the schema, as cel-go does with Kubernetes\' types', () => {
    assert.deepEqual(errs(withRule({ rule: 'self.b == "x"' })), [`${rp}.rule: Invalid value: {"rule":"self.b == \\"x\\""}: compilation failed: ERROR: <input>:1:5: undefined field 'b'`]);
    assert.match(errs(withRule({ rule: 'has(self.zz)' }))[0]!, /undefined field 'zz'/);
    const list: JSONSchemaProps = { type: 'object', properties: { l: { type: 'array', maxItems: 5, items: { type: 'object', properties: { n: { type: 'string', maxLength: 5 } } } }, m: { type: 'object', additionalProperties: { type: 'string', maxLength: 5 }, maxProperties: 5 }, free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } };
    assert.match(errs(withRule({ rule: 'self.l.all(i, i.nn == "")' }, list))[0]!, /undefined field 'nn'/);
    // Maps, preserved-unknown objects and the list element's declared fields are fine.
    assert.deepEqual(errs(withRule({ rule: 'self.l.all(i, i.n == "") && self.m.anything == "" && self.free.whatever == 1' }, list)), []);
  });

  it('types objects from the schema: a field of the wrong type, a missing field, and an object compared to a scalar are compile errors', () => {
    const spec: JSONSchemaProps = {
      type: 'object',
      properties: { replicas: { type: 'integer' }, template: { type: 'object', properties: { image: { type: 'string', maxLength: 10 } } }, free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
    };
    assert.match(errs(withRule({ rule: "self.replicas == 'three'" }, spec))[0]!, /compilation failed: ERROR: <input>:1:\d+: no such overload: int == string/);
    assert.match(errs(withRule({ rule: 'self.template.image > 1' }, spec))[0]!, /compilation failed: .*no such overload: string > int/);
    assert.match(errs(withRule({ rule: 'self.template == 1' }, spec))[0]!, /compilation failed: .*no such overload/);
    assert.match(errs(withRule({ rule: 'self.template.tag == ""' }, spec))[0]!, /compilation failed: ERROR: <input>:1:14: undefined field 'tag'/);
    // Objects of one type compare; what upstream leaves dynamic stays so.
    assert.deepEqual(errs(withRule({ rule: 'self.template == oldSelf.template && self.free.anything == 1 && has(self.template.image)' }, spec)), []);
    // The root's metadata shows name and generateName only.
    const root = widgetCRD({ type: 'object' });
    root.spec!.versions![0]!.schema!.openAPIV3Schema!['x-kubernetes-validations'] = [{ rule: "self.metadata.labels['a'] == 'b'" }];
    assert.match(errs(root).join('\n'), /undefined field 'labels'/);
  });

  it('types self and oldSelf of scalar fields and lists of scalars from the schema, as cel-go does', () => {
    const typed: JSONSchemaProps = { type: 'object', properties: { n: { type: 'integer', 'x-kubernetes-validations': [{ rule: "self == 'x'" }] } } };
    const got = errs(widgetCRD(typed));
    assert.deepEqual(got, [
      `${root}.properties[spec].properties[n].x-kubernetes-validations[0].rule: Invalid value: {"rule":"self == 'x'"}: compilation failed: ERROR: <input>:1:1: no such overload: int == string`,
    ]);
    const list: JSONSchemaProps = { type: 'object', properties: { l: { type: 'array', maxItems: 5, items: { type: 'string', maxLength: 10 }, 'x-kubernetes-validations': [{ rule: 'self.all(x, x.startsWith("a")) && self.size() < 3' }, { rule: 'self.all(x, x > 1)' }] } } };
    assert.match(errs(widgetCRD(list)).join('\n'), /x-kubernetes-validations\[1\]\.rule: .*no such overload: string > int$/);
    assert.equal(errs(widgetCRD(list)).length, 1);
    // Transition rules compare like with like; int-or-string stays dynamic; formatted strings are
    // durations, timestamps and bytes (duration(self) is cel-go's identity conversion).
    const ok: JSONSchemaProps = {
      type: 'object',
      properties: {
        n: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self >= oldSelf' }] },
        p: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-validations': [{ rule: "self == 1 || self == 'a'" }] },
        d: { type: 'string', format: 'duration', 'x-kubernetes-validations': [{ rule: "duration(self) > duration('1s') && self < duration('1h')" }] },
        t: { type: 'string', format: 'date-time', 'x-kubernetes-validations': [{ rule: "self > timestamp('2000-01-01T00:00:00Z')" }] },
        b: { type: 'string', format: 'byte', 'x-kubernetes-validations': [{ rule: 'self.size() < 10' }] },
      },
    };
    assert.deepEqual(errs(widgetCRD(ok)), []);
    const asString: JSONSchemaProps = { type: 'object', properties: { d: { type: 'string', format: 'duration', 'x-kubernetes-validations': [{ rule: "self.startsWith('1')" }] } } };
    assert.match(errs(widgetCRD(asString))[0]!, /compilation failed: .*startsWith/);
  });

  it('checks rule fields: empty rule, line breaks, reason, optionalOldSelf without oldSelf', () => {
    assert.deepEqual(errs(withRule({ rule: ' ' })), [`${rp}.rule: Required value: rule is not specified`]);
    assert.deepEqual(errs(withRule({ rule: 'true', message: 'a\nb' })), [`${rp}.message: Invalid value: "a\\nb": message must not contain line breaks`]);
    assert.deepEqual(errs(withRule({ rule: 'true &&\ntrue' })), [`${rp}.message: Required value: message must be specified if rule contains line breaks`]);
    assert.deepEqual(errs(withRule({ rule: 'true', reason: 'Nope' })), [
      `${rp}.reason: Unsupported value: "Nope": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`,
    ]);
    assert.deepEqual(errs(withRule({ rule: 'true', optionalOldSelf: true })), [`${rp}.optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule`]);
    assert.deepEqual(errs(withRule({ rule: 'true', messageExpression: '42' })), [
      `${rp}.messageExpression: Invalid value: {"rule":"true","messageExpression":"42"}: messageExpression must evaluate to a string`,
    ]);
    assert.deepEqual(errs(withRule({ rule: '"x"' })), [`${rp}.rule: Invalid value: {"rule":"\\"x\\""}: cel expression must evaluate to a bool`]);
  });

  it('survives rules of the wrong shape and absurd rules', () => {
    for (const junk of [{ rule: 5 }, { rule: 'true', messageExpression: 7 }, { rule: 'true', fieldPath: [] }, { rule: 'true', optionalOldSelf: 'yes' }, null, 'rule']) {
      assert.doesNotThrow(() => errs(withRule(junk as never)), JSON.stringify(junk));
      assert.ok(errs(withRule(junk as never)).length > 0, JSON.stringify(junk));
    }
    const long = errs(withRule({ rule: Array.from({ length: 20_000 }, () => 'true').join(' && ') }));
    assert.equal(long.length, 1);
    assert.match(long[0]!, /compilation failed/);
    const deep = errs(withRule({ rule: `${'('.repeat(5000)}true${')'.repeat(5000)}` }));
    assert.match(deep[0]!, /compilation failed/);
  });

  it('refuses a rule whose estimated cost is over the limit, and accepts it once maxItems bounds it', () => {
    const list = (max?: number): JSONSchemaProps => ({ type: 'array', ...(max ? { maxItems: max } : {}), items: { type: 'string', maxLength: 64 } });
    const rule = { rule: 'self.all(x, self.all(y, x == y || x != y))' };
    const got = errs(withRule(rule, list()));
    assert.ok(
      got.some((e) => e.startsWith(`${rp}.rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, maxProperties, and maxLength`)),
      got.join('\n'),
    );
    assert.deepEqual(errs(withRule(rule, list(100))), []);
  });

  it('refuses a CRD whose rules together exceed the per-CRD limit', () => {
    // Each rule is cheap alone (a 1000-element list of 10000-character strings), but it runs for
    // every one of up to 1000 items: 1000 × cost per evaluation overflows the CRD-wide budget.
    const spec: JSONSchemaProps = {
      type: 'array',
      maxItems: 1000,
      items: {
        type: 'array',
        maxItems: 1000,
        items: { type: 'string', maxLength: 10000 },
        'x-kubernetes-validations': [{ rule: 'self.all(s, s.contains("a"))' }],
      },
    };
    const got = errs(widgetCRD(spec));
    assert.ok(got.some((e) => e.endsWith('contributed to estimated rule cost total exceeding cost limit for entire OpenAPIv3 schema')), got.join('\n'));
    assert.ok(
      got.some((e) => e.startsWith(`${root}: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of`)),
      got.join('\n'),
    );
  });
});
