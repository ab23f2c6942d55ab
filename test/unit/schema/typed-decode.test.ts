// The typed decoder against upstream's decoders: every kind of type error with the exact text
// sigs.k8s.io/json (create, update, JSON and merge patch results) or the unstructured converter
// (strategic merge patch results) gives, and what null becomes.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { decodeTyped, type DecodeMode } from '../../../src/api/schema/index.js';
import { quantityError, timeParseError } from '../../../src/api/schema/go-scalars.js';
import * as seeds from './seeds.js';

const svc = { group: '', version: 'v1', kind: 'Service' };
const pod = { group: '', version: 'v1', kind: 'Pod' };
const deploy = { group: 'apps', version: 'v1', kind: 'Deployment' };
const scale = { group: 'autoscaling', version: 'v1', kind: 'Scale' };
const lease = { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' };
const slice = { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' };

const QUANTITY = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const container = (extra: object) => ({ spec: { containers: [{ name: 'c', image: 'i', ...extra }] } });

type Case = [name: string, gvk: typeof svc, body: object, json: string, unstructured: string];

const cases: Case[] = [
  ['label value number', svc, { metadata: { labels: { a: 123 } } },
    'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string', 'cannot convert int64 to string'],
  ['label value bool', svc, { metadata: { labels: { a: true } } },
    'json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string', 'unrecognized type: string'],
  ['labels a list', svc, { metadata: { labels: [] } },
    'json: cannot unmarshal array into Go struct field ObjectMeta.metadata.labels of type map[string]string', 'cannot restore map from slice'],
  ['labels a string', svc, { metadata: { labels: 'a=b' } },
    'json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels of type map[string]string', 'cannot restore map from string'],
  ['Service selector a list', svc, { spec: { selector: [] } },
    'json: cannot unmarshal array into Go struct field ServiceSpec.spec.selector of type map[string]string', 'cannot restore map from slice'],
  ['Deployment selector a list', deploy, { spec: { selector: [] } },
    'json: cannot unmarshal array into Go struct field DeploymentSpec.spec.selector of type v1.LabelSelector', 'cannot restore struct from: slice'],
  ['replicas over int32', deploy, { spec: { replicas: 2147483648 } },
    'json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32',
    'json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32'],
  ['replicas under int32', deploy, { spec: { replicas: -2147483649 } },
    'json: cannot unmarshal number -2147483649 into Go struct field DeploymentSpec.spec.replicas of type int32',
    'json: cannot unmarshal number -2147483649 into Go struct field DeploymentSpec.spec.replicas of type int32'],
  ['replicas a fraction', deploy, { spec: { replicas: 1.5 } },
    'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32', 'cannot convert float64 to int32'],
  ['replicas a string', deploy, { spec: { replicas: '2' } },
    'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32', 'unrecognized type: int32'],
  ['int64 beyond range', deploy, { metadata: { generation: 2 ** 64 } },
    'json: cannot unmarshal number 18446744073709551616 into Go struct field ObjectMeta.metadata.generation of type int64',
    'json: cannot unmarshal number 18446744073709551616 into Go struct field ObjectMeta.metadata.generation of type int64'],
  ['ports an object', svc, { spec: { ports: {} } },
    'json: cannot unmarshal object into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort', 'cannot restore slice from map'],
  ['ports a string', svc, { spec: { ports: 'x' } },
    'json: cannot unmarshal string into Go struct field ServiceSpec.spec.ports of type []v1.ServicePort', 'cannot restore slice from string'],
  ['a port a string', svc, { spec: { ports: [{ port: '80' }] } },
    'json: cannot unmarshal string into Go struct field ServicePort.spec.ports.port of type int32', 'unrecognized type: int32'],
  ['a list item not an object', svc, { spec: { ports: [80] } },
    'json: cannot unmarshal number into Go struct field ServiceSpec.spec.ports of type v1.ServicePort', 'cannot restore struct from: int64'],
  ['spec a string', svc, { spec: 'x' },
    'json: cannot unmarshal string into Go struct field Service.spec of type v1.ServiceSpec', 'cannot restore struct from: string'],
  ['named string type', svc, { spec: { ports: [{ port: 80, protocol: 6 }] } },
    'json: cannot unmarshal number into Go struct field ServicePort.spec.ports.protocol of type v1.Protocol', 'cannot convert int64 to v1.Protocol'],
  ['list of a named string type', svc, { spec: { ipFamilies: [4] } },
    'json: cannot unmarshal number into Go struct field ServiceSpec.spec.ipFamilies of type v1.IPFamily', 'cannot convert int64 to v1.IPFamily'],
  ['bool a string', svc, { spec: { publishNotReadyAddresses: 'yes' } },
    'json: cannot unmarshal string into Go struct field ServiceSpec.spec.publishNotReadyAddresses of type bool', 'unrecognized type: bool'],
  ['named map type', pod, container({ resources: { limits: [] } }),
    'json: cannot unmarshal array into Go struct field ResourceRequirements.spec.containers.resources.limits of type v1.ResourceList',
    'cannot restore map from slice'],
  ['IntOrString a bool', svc, { spec: { ports: [{ port: 80, targetPort: true }] } },
    'json: cannot unmarshal bool into Go value of type int32', 'json: cannot unmarshal bool into Go value of type int32'],
  ['IntOrString over int32', svc, { spec: { ports: [{ port: 80, targetPort: 4294967296 }] } },
    'json: cannot unmarshal number 4294967296 into Go value of type int32', 'json: cannot unmarshal number 4294967296 into Go value of type int32'],
  ['IntOrString an object', deploy, { spec: { strategy: { rollingUpdate: { maxSurge: {} } } } },
    'json: cannot unmarshal object into Go value of type int32', 'json: cannot unmarshal object into Go value of type int32'],
  ['Quantity malformed', pod, container({ resources: { limits: { cpu: '1x' } } }), QUANTITY, QUANTITY],
  ['Quantity a bool', pod, container({ resources: { requests: { memory: true } } }), QUANTITY, QUANTITY],
  ['Quantity bad suffix', pod, container({ resources: { requests: { memory: '1mi' } } }),
    "unable to parse quantity's suffix", "unable to parse quantity's suffix"],
  ['Time not RFC 3339', pod, { metadata: { creationTimestamp: 'yesterday' } },
    'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"',
    'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'],
  ['Time a number', pod, { metadata: { creationTimestamp: 5 } },
    'json: cannot unmarshal number into Go value of type string', 'json: cannot unmarshal number into Go value of type string'],
  ['MicroTime without microseconds', lease, { spec: { renewTime: '2024-01-01T00:00:00Z' } },
    'parsing time "2024-01-01T00:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"',
    'parsing time "2024-01-01T00:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"'],
  ['EndpointSlice endpoints an object', slice, { addressType: 'IPv4', endpoints: { a: 1 } },
    'json: cannot unmarshal object into Go struct field EndpointSlice.endpoints of type []v1.Endpoint', 'cannot restore slice from map'],
  ['Scale replicas over int32', scale, { spec: { replicas: 2147483648 } },
    'json: cannot unmarshal number 2147483648 into Go struct field ScaleSpec.spec.replicas of type int32',
    'json: cannot unmarshal number 2147483648 into Go struct field ScaleSpec.spec.replicas of type int32'],
];

describe('decodeTyped: type errors', () => {
  for (const [name, gvk, body, json, unstructured] of cases) {
    for (const [mode, want] of [['json', json], ['unstructured', unstructured]] as [DecodeMode, string][]) {
      it(`${name} (${mode})`, () => {
        assert.equal(decodeTyped(gvk, body, mode).error, want);
      });
    }
  }

  it('keeps the first type error, as the JSON decoder saves it and goes on', () => {
    const r = decodeTyped(svc, { metadata: { labels: { a: 1 } }, spec: { ports: 'x' } }, 'json');
    assert.equal(r.error, 'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
  });

  it("lets a type's own UnmarshalJSON error win over an earlier saved one, as it ends decoding", () => {
    const r = decodeTyped(svc, { metadata: { labels: { a: 1 } }, spec: { ports: [{ port: 80, targetPort: [] }] } }, 'json');
    assert.equal(r.error, 'json: cannot unmarshal array into Go value of type int32');
  });
});

describe('decodeTyped: values it accepts', () => {
  for (const [name, text] of Object.entries(seeds)) {
    it(`the seed Service "${name}" decodes to itself`, () => {
      const obj = parse(text);
      const r = decodeTyped(svc, obj, 'json');
      assert.equal(r.error, undefined);
      assert.deepEqual(r.value, obj);
    });
  }

  it('resolves null as Go does: a field keeps its zero value, a list item or map value becomes one', () => {
    const r = decodeTyped(
      svc,
      { metadata: { name: 'a', annotations: null, labels: { a: null } }, spec: { clusterIP: null, ports: [null, { port: 80, targetPort: 'http' }] } },
      'json',
    );
    assert.equal(r.error, undefined);
    assert.deepEqual(r.value, { metadata: { name: 'a', labels: { a: '' } }, spec: { ports: [{}, { port: 80, targetPort: 'http' }] } });
  });

  it('keeps unknown fields and open objects (RawExtension, FieldsV1) as they are, for fieldValidation to judge', () => {
    const body = {
      metadata: { name: 'a', managedFields: [{ manager: 'm', fieldsV1: { 'f:spec': {} } }] },
      spec: { portz: [1, 2], ports: [{ port: 80, nme: 5 }] },
    };
    const r = decodeTyped(svc, body, 'json');
    assert.equal(r.error, undefined);
    assert.deepEqual(r.value, body);
  });

  it('accepts the int32 and int64 bounds, quantities as numbers and strings, and RFC 3339 with fractions', () => {
    const ok = (gvk: typeof svc, body: object) => assert.equal(decodeTyped(gvk, body, 'json').error, undefined, JSON.stringify(body));
    ok(deploy, { spec: { replicas: 2147483647 } });
    ok(deploy, { spec: { replicas: -2147483648 } });
    ok(deploy, { metadata: { generation: 2 ** 53 } });
    ok(pod, container({ resources: { limits: { cpu: 2, memory: '1.5Gi', 'ephemeral-storage': '1e3' } } }));
    ok(pod, { metadata: { creationTimestamp: '2024-02-29T23:59:59.123+01:00' } });
    ok(lease, { spec: { renewTime: '2024-01-01T00:00:00.123456Z' } });
  });

  it('keeps a "__proto__" key an own key, never the prototype of what it returns', () => {
    const body = JSON.parse('{"metadata":{"name":"x","labels":{"__proto__":"v"}},"__proto__":{"spec":{"ports":"x"}}}');
    const r = decodeTyped(svc, body, 'json');
    assert.equal(r.error, undefined);
    const v = r.value as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.equal(v.spec, undefined, 'spec must not come from an injected prototype');
    assert.equal(JSON.stringify(v), JSON.stringify(body));
  });

  it('passes a kind without a schema unchanged', () => {
    const body = { spec: { anything: [1] } };
    assert.deepEqual(decodeTyped({ group: 'x', version: 'v1', kind: 'Nope' }, body, 'json'), { value: body });
  });
});

describe('Go scalar parsers', () => {
  it('ParseQuantity', () => {
    for (const ok of ['0', '1', '-1', '+1.5', '100m', '1Ki', '1.5Gi', '1e3', '1E-3', '.5', '5.', '0.000']) assert.equal(quantityError(ok), undefined, ok);
    for (const bad of ['', 'x', '1x', '1.2.3', '1 ', '1KiB']) assert.equal(quantityError(bad), QUANTITY, bad);
    for (const bad of ['1mi', '1KM', '1e', '1Kii', '1Ki5']) assert.equal(quantityError(bad), "unable to parse quantity's suffix", bad);
  });

  it('time.Parse(RFC3339)', () => {
    assert.equal(timeParseError('2024-01-31T10:00:00Z', false), undefined);
    assert.equal(timeParseError('2024-02-30T10:00:00Z', false), 'parsing time "2024-02-30T10:00:00Z": day out of range');
    assert.equal(timeParseError('2024-01-01T24:00:00Z', false), 'parsing time "2024-01-01T24:00:00Z": hour out of range');
    assert.equal(timeParseError('2024-01-01', false), 'parsing time "2024-01-01" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"');
    assert.equal(timeParseError('2024-01-01T10:00:00Zjunk', false), 'parsing time "2024-01-01T10:00:00Zjunk": extra text: "junk"');
    assert.equal(timeParseError('2024-1-01T10:00:00Z', false), 'parsing time "2024-1-01T10:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "1-01T10:00:00Z" as "01"');
  });
});

describe('decodePatchedObject', () => {
  it('answers 422 even when the patched object is nested too deeply to print', async () => {
    const { decodePatchedObject } = await import('../../../src/apiserver/http/typed-body.js');
    let deep: Record<string, unknown> = {};
    const top = deep;
    for (let i = 0; i < 200_000; i++) {
      const next = {};
      deep.a = next;
      deep = next;
    }
    for (const type of ['application/merge-patch+json', 'application/strategic-merge-patch+json']) {
      assert.throws(
        () => decodePatchedObject(svc, { metadata: { labels: { a: 1 } }, junk: top } as never, type, { junk: top }),
        (e: { code: number; message: string }) => e.code === 422 && e.message.includes('Invalid value: "<nested too deeply to print>"'),
      );
    }
  });
});
