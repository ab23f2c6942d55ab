// The protobuf /openapi/v2 document, read back with a small decoder that knows gnostic's field
// numbers (google/gnostic openapiv2/OpenAPIv2.proto), and checked against the rules kube-openapi's
// proto.NewOpenAPIData applies before kubectl can validate anything: one bad definition there and
// kubectl rejects the whole document.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  encodeOpenAPIv2, openapiV2, openapiV2ProtoBuilt,
} from '../../../src/apiserver/openapi/index.js';
import { readFields, type RawField } from '../../../src/apiserver/protobuf/wire.js';
import { served } from './fixture.js';

type Fields = Map<number, RawField[]>;

const dec = (b: Buffer): Fields => readFields(b);
const all = (m: Fields, n: number): RawField[] => m.get(n) ?? [];
const msgs = (m: Fields, n: number): Fields[] => all(m, n).map((f) => dec(f.bytes!));
const msg1 = (m: Fields, n: number): Fields | undefined => msgs(m, n)[0];
const strs = (m: Fields, n: number): string[] => all(m, n).map((f) => f.bytes!.toString('utf8'));
const str1 = (m: Fields, n: number): string => strs(m, n)[0] ?? '';

/** repeated Named*{name = 1, value = 2} as a Map, in wire order. */
function named(m: Fields, n: number): Map<string, Fields> {
  const out = new Map<string, Fields>();
  for (const e of msgs(m, n)) out.set(str1(e, 1), msg1(e, 2) ?? new Map());
  return out;
}
/** A vendor extension's Any.yaml (field 2), parsed: we write JSON, which is valid YAML. */
function ext(m: Fields, n: number, name: string): unknown {
  const any = named(m, n).get(name);
  return any ? (JSON.parse(str1(any, 2)) as unknown) : undefined;
}

// Schema field numbers.
const S = { ref: 1, format: 2, required: 19, additionalProperties: 21, type: 22, items: 23, properties: 25, vendor: 31 };
const types = (s: Fields): string[] => {
  const t = msg1(s, S.type);
  return t ? strs(t, 1) : [];
};
const props = (s: Fields): Map<string, Fields> | undefined => {
  const p = msg1(s, S.properties);
  return p ? named(p, 1) : undefined;
};

const doc = dec(openapiV2ProtoBuilt(served).body);
const defs = named(msg1(doc, 9)!, 1);

/** kube-openapi's Definitions.ParseSchema, reduced to the checks that can fail. */
function parseSchema(s: Fields, path: string, errs: string[]): void {
  const ref = str1(s, S.ref);
  const ts = types(s);
  if (ref) {
    const name = ref.replace(/^#\/definitions\//, '');
    if (!defs.has(name)) errs.push(`${path}: unknown model in reference: "${name}"`);
    if ((props(s)?.size ?? 0) > 0) errs.push(`${path}: unallowed embedded type definition`);
    if (ts.length > 0) errs.push(`${path}: definition reference can't have a type`);
    return;
  }
  if (ts.length > 1) errs.push(`${path}: definitions with multiple types aren't supported`);
  const t = ts[0];
  const p = props(s);
  if (t === undefined || t === 'object') {
    if (p) for (const [k, v] of p) parseSchema(v, `${path}.${k}`, errs);
    else {
      const ap = msg1(s, S.additionalProperties);
      const sub = ap && msg1(ap, 1);
      if (sub) parseSchema(sub, `${path}`, errs);
    }
  } else if (t === 'array') {
    const items = msg1(s, S.items);
    const list = items ? msgs(items, 1) : [];
    if (list.length !== 1) errs.push(`${path}: array should have exactly one sub-item`);
    else parseSchema(list[0]!, `${path}`, errs);
  } else if (!['string', 'number', 'integer', 'boolean'].includes(t)) {
    errs.push(`${path}: Unknown primitive type: "${t}"`);
  }
}

describe('openapi v2 as gnostic protobuf', () => {
  it('is cached and hashed like the JSON document, and encodes exactly that document', () => {
    const b = openapiV2ProtoBuilt(served);
    assert.equal(openapiV2ProtoBuilt([...served].reverse()), b);
    assert.equal(b.hash, createHash('sha512').update(b.body).digest('hex').toUpperCase());
    assert.deepEqual(encodeOpenAPIv2(openapiV2(served) as Record<string, unknown>), b.body);
  });

  it('has the document header: swagger, info, security', () => {
    assert.equal(str1(doc, 1), '2.0');
    assert.equal(str1(msg1(doc, 2)!, 1), 'Kubernetes');
    const sec = named(msg1(doc, 13)!, 1).get('BearerToken')!;
    const apiKey = msg1(sec, 2)!;
    assert.deepEqual([str1(apiKey, 1), str1(apiKey, 2), str1(apiKey, 3)], ['apiKey', 'authorization', 'header']);
  });

  it('every definition passes kube-openapi parsing (so kubectl accepts the document)', () => {
    const json = openapiV2(served) as { definitions: Record<string, unknown> };
    assert.deepEqual([...defs.keys()], Object.keys(json.definitions));
    const errs: string[] = [];
    for (const [name, s] of defs) parseSchema(s, name, errs);
    assert.deepEqual(errs, []);
  });

  it('Service: object type, GVK extension, properties with $ref to ServiceSpec', () => {
    const svc = defs.get('io.k8s.api.core.v1.Service')!;
    assert.deepEqual(types(svc), ['object']);
    assert.deepEqual(ext(svc, S.vendor, 'x-kubernetes-group-version-kind'), [{ group: '', kind: 'Service', version: 'v1' }]);
    const p = props(svc)!;
    assert.deepEqual([...p.keys()], ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    assert.equal(str1(p.get('spec')!, S.ref), '#/definitions/io.k8s.api.core.v1.ServiceSpec');
    assert.deepEqual(types(p.get('kind')!), ['string']);
  });

  it('ServiceSpec / ServicePort: merge keys, items, maps, required, formats', () => {
    const spec = props(defs.get('io.k8s.api.core.v1.ServiceSpec')!)!;
    const ports = spec.get('ports')!;
    assert.deepEqual(types(ports), ['array']);
    assert.equal(ext(ports, S.vendor, 'x-kubernetes-patch-merge-key'), 'port');
    assert.equal(ext(ports, S.vendor, 'x-kubernetes-patch-strategy'), 'merge');
    assert.equal(str1(msgs(msg1(ports, S.items)!, 1)[0]!, S.ref), '#/definitions/io.k8s.api.core.v1.ServicePort');
    // selector: a map of strings, i.e. additionalProperties -> AdditionalPropertiesItem.schema (1).
    const selector = spec.get('selector')!;
    assert.deepEqual(types(selector), ['object']);
    assert.equal(props(selector), undefined);
    assert.deepEqual(types(msg1(msg1(selector, S.additionalProperties)!, 1)!), ['string']);

    const port = defs.get('io.k8s.api.core.v1.ServicePort')!;
    assert.deepEqual(strs(port, S.required), ['port']);
    assert.equal(str1(props(port)!.get('port')!, S.format), 'int32');
  });

  it('paths: PATCH operations carry fieldValidation and their GVK', () => {
    const paths = named(msg1(doc, 8)!, 2);
    const item = paths.get('/api/v1/namespaces/{namespace}/services/{name}')!;
    const patch = msg1(item, 8)!;
    assert.equal(str1(patch, 5), 'patchCoreV1NamespacedService');
    assert.ok(strs(patch, 7).includes('application/strategic-merge-patch+json'));
    assert.deepEqual(ext(patch, 13, 'x-kubernetes-group-version-kind'), { group: '', kind: 'Service', version: 'v1' });
    assert.equal(ext(patch, 13, 'x-kubernetes-action'), 'patch');
    // ParametersItem.parameter (1) -> Parameter.non_body_parameter (2) -> query sub-schema (3).
    const query = msgs(patch, 8).map((pi) => msg1(msg1(msg1(pi, 1)!, 2) ?? new Map(), 3)).filter((q): q is Fields => !!q);
    const fv = query.find((q) => str1(q, 4) === 'fieldValidation');
    assert.ok(fv);
    assert.equal(str1(fv, 2), 'query');
    assert.equal(str1(fv, 6), 'string');
    // The body parameter (Parameter.body_parameter = 1) refers to the Patch definition.
    const body = msgs(patch, 8).map((pi) => msg1(msg1(pi, 1)!, 1)).find((b): b is Fields => !!b)!;
    assert.equal(str1(body, 2), 'body');
    assert.equal(str1(msg1(body, 5)!, S.ref), '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
    // Path-level parameters: name is a required path parameter (sub-schema 4, required = 1).
    const name = msgs(item, 9).map((pi) => msg1(msg1(msg1(pi, 1)!, 2)!, 4)).find((p) => p && str1(p, 4) === 'name')!;
    assert.equal(all(name, 1)[0]?.int, 1n);
    // Responses: "200" -> ResponseValue.response (1) -> Response.schema (2) -> SchemaItem.schema (1).
    const ok = named(msg1(patch, 9)!, 1).get('200')!;
    const resp = msg1(ok, 1)!;
    assert.equal(str1(resp, 1), 'OK');
    assert.equal(str1(msg1(msg1(resp, 2)!, 1)!, S.ref), '#/definitions/io.k8s.api.core.v1.Service');
  });

  it('additionalProperties: false is written (oneof member at its zero value)', () => {
    const b = encodeOpenAPIv2({ definitions: { x: { type: 'object', additionalProperties: false } } });
    const x = named(msg1(dec(b), 9)!, 1).get('x')!;
    const ap = msg1(x, S.additionalProperties)!;
    assert.equal(all(ap, 2)[0]?.int, 0n);
  });
});
