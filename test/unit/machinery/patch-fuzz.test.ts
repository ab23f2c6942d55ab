// Property tests (fast-check) for the request-path decoders and patchers: whatever a client
// sends, each either succeeds or throws a 4xx StatusError — never a TypeError, a stack overflow
// or a 5xx — and never touches Object.prototype.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../../../src/machinery/patch/index.js';
import { patchSchemaFor } from '../../../src/api/schema/index.js';
import { StatusError } from '../../../src/machinery/status.js';
import { decodeObject } from '../../../src/apiserver/http/body.js';
import { PROTOBUF_MEDIA_TYPE } from '../../../src/apiserver/protobuf/index.js';

// A fixed seed keeps `npm test` deterministic; FUZZ_SEED=<n> FUZZ_RUNS=<n> explore further.
const runs = { numRuns: Number(process.env.FUZZ_RUNS ?? 400), seed: Number(process.env.FUZZ_SEED ?? 20261205) };

function clientError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, `not a StatusError: ${(e as Error)?.stack ?? e}`);
    assert.ok(e.code >= 400 && e.code < 500, `a ${e.code} for a client's input: ${e.message}`);
  }
}

function prototypeClean(): void {
  assert.deepEqual(Object.keys(Object.prototype), []);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
}

const keys = fc.constantFrom('spec', 'metadata', 'ports', 'port', 'name', 'selector', 'labels', 'finalizers', 'clusterIPs', 'template',
  'containers', 'strategy', 'type', 'rollingUpdate', 'a', '__proto__', 'constructor', 'polluted', '$patch', '$retainKeys',
  '$setElementOrder/ports', '$setElementOrder/finalizers', '$deleteFromPrimitiveList/finalizers', '$setElementOrder/containers');
const scalar = fc.oneof(fc.constantFrom('delete', 'replace', 'merge', 'x', '', 'TCP', 80, -1, 0, 1.5, true, false, null), fc.string(), fc.integer());
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(keys, tie('v'), { maxKeys: 4 })),
})).v;
const docObject = fc.dictionary(keys, value, { maxKeys: 5 });

const pointer = fc.oneof(
  fc.array(fc.oneof(keys, fc.constantFrom('0', '1', '-', '-1', '99', '~0', '~1', '~', '~2', 'a~1b', '')), { maxLength: 4 }).map((p) => `/${p.join('/')}`),
  fc.constantFrom('', 'spec/ports', 'spec', '/', '//', '/__proto__/polluted', '/constructor/prototype/polluted'),
);
const operation = fc.record(
  {
    op: fc.oneof(fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'), scalar),
    path: fc.oneof(pointer, scalar),
    from: fc.oneof(pointer, scalar),
    value,
  },
  { requiredKeys: [] },
);

test('JSON patch: any operations on any document succeed or are a 4xx', () => {
  fc.assert(
    fc.property(docObject, fc.oneof(fc.array(fc.oneof(operation, scalar), { maxLength: 5 }), value), (doc, ops) => {
      clientError(() => applyJsonPatch(doc, ops));
      prototypeClean();
    }),
    runs,
  );
});

test('merge patch: any patch on any document succeeds or is a 4xx', () => {
  fc.assert(
    fc.property(docObject, value, (doc, patch) => {
      clientError(() => applyMergePatch(doc, patch));
      prototypeClean();
    }),
    runs,
  );
});

const kinds = [
  { group: '', version: 'v1', kind: 'Service' },
  { group: '', version: 'v1', kind: 'Pod' },
  { group: 'apps', version: 'v1', kind: 'Deployment' },
  { group: '', version: 'v1', kind: 'Namespace' },
];

test('strategic merge patch: any directives, any types, any kind succeed or are a 4xx', () => {
  const realistic = {
    metadata: { name: 'a', finalizers: ['x', 'y'], labels: { a: 'b' } },
    spec: {
      ports: [{ port: 80, protocol: 'TCP' }, { port: 443, protocol: 'TCP', name: 'https' }],
      clusterIPs: ['127.96.0.5'],
      selector: { a: 'b' },
      containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, protocol: 'TCP' }] }],
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
      template: { spec: { containers: [{ name: 'c' }] } },
    },
  };
  fc.assert(
    fc.property(fc.constantFrom(...kinds), fc.oneof(fc.constant(realistic), docObject), value, (gvk, doc, patch) => {
      clientError(() => applyStrategicMergePatch(doc, patch, patchSchemaFor(gvk)));
      prototypeClean();
    }),
    runs,
  );
});

test('body decoding: any bytes as JSON, YAML or protobuf decode or are a 4xx', () => {
  const bodies = fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
    fc.string().map((s) => Buffer.from(s)),
    value.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
    fc.integer({ min: 1, max: 3000 }).map((n) => Buffer.from('['.repeat(n) + ']'.repeat(n))),
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.concat([Buffer.from([0x6b, 0x38, 0x73, 0x00]), Buffer.from(b)])),
  );
  const types = fc.constantFrom('application/json', 'application/yaml', PROTOBUF_MEDIA_TYPE, 'application/merge-patch+json', 'text/plain', '');
  fc.assert(
    fc.property(bodies, types, (buf, type) => {
      clientError(() => decodeObject(buf, type));
      prototypeClean();
    }),
    runs,
  );
});
