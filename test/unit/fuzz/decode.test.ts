// Property-based fuzzing of the body decoders (JSON, YAML, Kubernetes protobuf through
// decodeObject, and the protobuf message decoder on its own) and of the selector parsers: any bytes,
// any string, either decode or throw a 4xx StatusError.
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeObject } from '../../../src/apiserver/http/body.js';
import { decodeK8sProtobuf, decodeMessage, encodeK8sProtobuf } from '../../../src/apiserver/protobuf/index.js';
import { KINDS } from '../../../src/apiserver/protobuf/generated.js';
import { labelSelectorAsSelector, parseLabelSelector } from '../../../src/machinery/labels/index.js';
import { parseFieldSelector } from '../../../src/machinery/fields/selector.js';
import { returnsOrStatusError } from './outcome.js';

const runs = { numRuns: 400, seed: Number(process.env.FUZZ_SEED ?? 20261205) };
const mediaTypes = ['application/json', 'application/yaml', 'application/apply-patch+yaml', 'application/vnd.kubernetes.protobuf', 'application/merge-patch+json', 'text/plain', '', '*/*'];
const service = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default', labels: { a: 'b' } },
  spec: { type: 'NodePort', clusterIP: '10.0.0.1', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 }], selector: { app: 'x' } },
};
const validProtobuf = encodeK8sProtobuf(service as never);

/** A valid protobuf body with a few bytes changed, dropped or inserted. */
const mutatedProtobuf = fc
  .array(fc.record({ at: fc.nat(), kind: fc.constantFrom('set', 'drop', 'insert', 'truncate'), byte: fc.integer({ min: 0, max: 255 }) }), { minLength: 1, maxLength: 6 })
  .map((edits) => {
    const b = [...validProtobuf];
    for (const e of edits) {
      const i = e.at % Math.max(1, b.length);
      if (e.kind === 'set') b[i] = e.byte;
      else if (e.kind === 'drop') b.splice(i, 1);
      else if (e.kind === 'insert') b.splice(i, 0, e.byte);
      else b.length = Math.max(4, i);
    }
    return Buffer.from(b);
  });
const magicThenBytes = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.concat([Buffer.from('k8s\0', 'latin1'), Buffer.from(b)]));
const jsonish = fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string(), fc.constantFrom('{', '[', '{"a":', 'null', '1e400', '"\\ud800"', '{"a":1}{"b":2}', 'a: &a [*a]', '- - - -', '!!binary x', 'a: !!js/function x', '? [a]\n: b'));

describe('decoders never throw anything but a StatusError', () => {
  it('decodeObject: arbitrary text as every media type', () => {
    fc.assert(fc.property(jsonish, fc.constantFrom(...mediaTypes), (text, type) => {
      returnsOrStatusError(`decodeObject(${JSON.stringify(text).slice(0, 200)}, ${type})`, () => decodeObject(Buffer.from(text), type));
    }), runs);
  });

  it('decodeObject: arbitrary bytes as every media type', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...mediaTypes), (bytes, type) => {
      returnsOrStatusError(`decodeObject(<${bytes.length} bytes>, ${type})`, () => decodeObject(Buffer.from(bytes), type));
    }), runs);
  });

  it('decodeObject: JSON and YAML nested 1,000 to 100,000 deep', () => {
    fc.assert(fc.property(fc.integer({ min: 1000, max: 100_000 }), fc.constantFrom('[', '{"a":'), fc.constantFrom('application/json', 'application/yaml'), (depth, open, type) => {
      const close = open === '[' ? ']' : '}';
      const text = open.repeat(depth) + (open === '[' ? '' : '1') + close.repeat(depth);
      returnsOrStatusError(`decodeObject(${depth} deep ${open} as ${type})`, () => decodeObject(Buffer.from(text), type));
    }), { ...runs, numRuns: 10 });
  });

  it('Kubernetes protobuf: a valid Service body with bytes changed, dropped, inserted or cut', () => {
    fc.assert(fc.property(mutatedProtobuf, (buf) => {
      returnsOrStatusError(`decodeK8sProtobuf(${buf.toString('hex').slice(0, 200)})`, () => decodeK8sProtobuf(buf));
    }), runs);
  });

  it('Kubernetes protobuf: the magic followed by arbitrary bytes', () => {
    fc.assert(fc.property(magicThenBytes, (buf) => {
      returnsOrStatusError(`decodeK8sProtobuf(${buf.toString('hex').slice(0, 200)})`, () => decodeK8sProtobuf(buf));
    }), runs);
  });

  it('protobuf messages of every served kind from arbitrary bytes', () => {
    const messages = Object.values(KINDS);
    fc.assert(fc.property(fc.constantFrom(...messages), fc.uint8Array({ maxLength: 120 }), (msg, bytes) => {
      returnsOrStatusError(`decodeMessage(${msg}, ${Buffer.from(bytes).toString('hex').slice(0, 200)})`, () => decodeMessage(msg, Buffer.from(bytes)));
    }), runs);
  });

  it('a protobuf message nested thousands deep', () => {
    // Field 1 (length-delimited) wrapping itself: ObjectMeta inside Service inside ... as raw bytes.
    fc.assert(fc.property(fc.integer({ min: 500, max: 20_000 }), (depth) => {
      let inner = Buffer.alloc(0);
      for (let i = 0; i < depth; i++) {
        const len: number[] = [];
        let n = inner.length;
        do {
          len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
          n >>>= 7;
        } while (n > 0);
        inner = Buffer.concat([Buffer.from([0x0a, ...len]), inner]);
      }
      returnsOrStatusError(`decodeMessage(${depth} deep)`, () => decodeMessage(KINDS['v1/Service']!, inner));
    }), { ...runs, numRuns: 8 });
  });
});

describe('selector parsers never throw anything but a StatusError', () => {
  const selectorText = fc.oneof(
    fc.string(),
    fc.array(fc.oneof(fc.constantFrom('a', 'b.io/c', ' ', ',', '=', '==', '!=', '!', 'in', 'notin', '(', ')', 'gt', 'lt', '1', '-1', '99999999999999999999', '\\', '\\,', 'x'.repeat(70)), fc.string({ maxLength: 3 })), { maxLength: 12 }).map((p) => p.join('')),
  );
  it('label selectors (labels.Parse)', () => {
    fc.assert(fc.property(selectorText, (s) => {
      returnsOrStatusError(`parseLabelSelector(${JSON.stringify(s)})`, () => parseLabelSelector(s));
    }), runs);
  });

  it('field selectors (fields.ParseSelector)', () => {
    fc.assert(fc.property(selectorText, (s) => {
      returnsOrStatusError(`parseFieldSelector(${JSON.stringify(s)})`, () => parseFieldSelector(s));
    }), runs);
  });

  it('metav1.LabelSelector objects of any shape', () => {
    const expr = fc.record({ key: fc.oneof(fc.string(), fc.anything()), operator: fc.oneof(fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist', 'Bogus'), fc.anything()), values: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), fc.anything()) }, { requiredKeys: [] });
    const sel = fc.record({ matchLabels: fc.oneof(fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }), fc.anything()), matchExpressions: fc.oneof(fc.array(expr, { maxLength: 3 }), fc.anything()) }, { requiredKeys: [] });
    fc.assert(fc.property(fc.oneof(sel, fc.anything()), (s) => {
      returnsOrStatusError(`labelSelectorAsSelector(${JSON.stringify(s)?.slice(0, 300)})`, () => labelSelectorAsSelector(s as never));
    }), runs);
  });

});
