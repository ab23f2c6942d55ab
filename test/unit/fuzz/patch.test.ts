// Property-based fuzzing of the three patchers (JSON patch, JSON merge patch, strategic merge patch
// with the served kinds' real patch schemas): arbitrary documents and patches, patches built from
// the directives and operations clients can send, and very deep documents. Each must return or
// throw a 4xx StatusError.
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../../src/machinery/patch/index.js';
import { patchSchemaFor } from '../../../src/api/schema/index.js';
import { deep, returnsOrStatusError } from './outcome.js';

const runs = { numRuns: 300, seed: Number(process.env.FUZZ_SEED ?? 20261205) };
const schemas = [
  patchSchemaFor({ group: '', version: 'v1', kind: 'Service' }),
  patchSchemaFor({ group: '', version: 'v1', kind: 'Pod' }),
  patchSchemaFor({ group: 'apps', version: 'v1', kind: 'Deployment' }),
  patchSchemaFor({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' }),
  undefined,
];

const service = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 's', labels: { a: 'b' }, finalizers: ['x'] },
  spec: { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], selector: { app: 'x' } },
};

// Keys a strategic merge patch gives meaning to, and field names the schemas know.
const key = fc.constantFrom(
  '$patch', '$retainKeys', '$setElementOrder/ports', '$setElementOrder/clusterIPs', '$setElementOrder/containers', '$deleteFromPrimitiveList/clusterIPs',
  '$deleteFromPrimitiveList/finalizers', 'spec', 'metadata', 'ports', 'clusterIPs', 'finalizers', 'labels', 'port', 'name', 'protocol', 'containers',
  'template', 'selector', 'matchLabels', 'endpoints', 'addresses', 'x',
);
const scalar = fc.oneof(fc.constantFrom('delete', 'replace', 'merge', 'bogus', 'TCP', '', '10.0.0.1'), fc.integer(), fc.boolean(), fc.constant(null), fc.string());
const { tree } = fc.letrec((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('obj'), tie('arr')),
  obj: fc.dictionary(key, tie('tree'), { maxKeys: 4 }),
  arr: fc.array(tie('tree'), { maxLength: 3 }),
}));
const pointer = fc.oneof(
  fc.constantFrom('', '/', 'spec', 'spec/ports', '/spec/ports/-', '/spec/ports/0', '/spec/ports/-1', '/spec/ports/99', '/spec/ports/9999999999999999999', '/metadata/labels/a~1b', '/metadata/labels/~2', '/spec/ports/0/port', '/a/b/c'),
  fc.array(fc.oneof(fc.string(), fc.nat().map(String), fc.constant('-')), { maxLength: 5 }).map((segs) => '/' + segs.join('/')),
  fc.string(),
);
const op = fc.record(
  { op: fc.oneof(fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'), fc.anything()), path: fc.oneof(pointer, fc.anything()), from: fc.oneof(pointer, fc.anything()), value: fc.oneof(tree, fc.jsonValue()) },
  { requiredKeys: [] },
);

describe('patchers never throw anything but a StatusError', () => {
  it('JSON patch: arbitrary operations on a Service and on arbitrary documents', () => {
    fc.assert(fc.property(fc.oneof(fc.constant(service), fc.jsonValue()), fc.oneof(fc.array(op, { maxLength: 6 }), fc.jsonValue()), (doc, ops) => {
      returnsOrStatusError(`applyJsonPatch(${JSON.stringify(ops).slice(0, 300)})`, () => applyJsonPatch(doc, ops));
    }), runs);
  });

  it('JSON merge patch: arbitrary documents and patches', () => {
    fc.assert(fc.property(fc.oneof(fc.constant(service), fc.jsonValue(), tree), fc.oneof(fc.jsonValue(), tree), (doc, patch) => {
      returnsOrStatusError(`applyMergePatch(${JSON.stringify(patch).slice(0, 300)})`, () => applyMergePatch(doc, patch));
    }), runs);
  });

  it('strategic merge patch: directive-laden patches with the served kinds\' schemas', () => {
    fc.assert(fc.property(fc.oneof(fc.constant(service), tree), fc.oneof(tree, fc.jsonValue()), fc.integer({ min: 0, max: schemas.length - 1 }), (doc, patch, i) => {
      returnsOrStatusError(`applyStrategicMergePatch(${JSON.stringify(patch).slice(0, 300)})`, () => applyStrategicMergePatch(doc, patch, schemas[i]));
    }), runs);
  });

  it('strategic merge patch: directives inside Service lists', () => {
    const entry = fc.oneof(tree, fc.record({ $patch: fc.constantFrom('delete', 'replace', 'merge', 'bogus') }, { requiredKeys: [] }), scalar);
    fc.assert(fc.property(fc.constantFrom('ports', 'clusterIPs', 'externalIPs', 'ipFamilies'), fc.array(entry, { maxLength: 4 }), (field, items) => {
      const patch = { spec: { [field]: items } };
      returnsOrStatusError(`SMP ${JSON.stringify(patch).slice(0, 300)}`, () => applyStrategicMergePatch(service, patch, schemas[0]));
    }), runs);
  });

  it('all three patchers on documents and patches 10,000 levels deep', () => {
    fc.assert(fc.property(fc.constantFrom<'array' | 'object' | 'mixed'>('array', 'object', 'mixed'), fc.integer({ min: 1000, max: 10000 }), (shape, depth) => {
      const d = deep(depth, shape);
      returnsOrStatusError(`merge patch ${depth} deep`, () => applyMergePatch(service, { metadata: { labels: d } }));
      returnsOrStatusError(`merge patch onto ${depth} deep`, () => applyMergePatch({ a: d }, { a: { b: 1 } }));
      returnsOrStatusError(`SMP ${depth} deep`, () => applyStrategicMergePatch(service, { spec: { x: d } }, schemas[0]));
      returnsOrStatusError(`JSON patch value ${depth} deep`, () => applyJsonPatch(service, [{ op: 'add', path: '/spec/x', value: d }]));
    }), { ...runs, numRuns: 12 });
  });
});
