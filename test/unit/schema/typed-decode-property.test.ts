// Property: whatever JSON value lands at whatever schema path, the typed decoder never throws,
// and what it accepts has the schema's types all the way down (so nothing after it can meet a
// label that is a number or a list that is an object). The conformance check below is written
// independently of the decoder, straight from the schema (test/support/schema-paths.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeTyped, definition, definitionNameFor, type DecodeMode } from '../../../src/api/schema/index.js';
import { conforms, hostileValue, schemaPaths, withValueAt } from '../../support/schema-paths.js';

const kinds = [
  { group: '', version: 'v1', kind: 'Service' },
  { group: '', version: 'v1', kind: 'Pod' },
  { group: 'apps', version: 'v1', kind: 'Deployment' },
  { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' },
  { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' },
  { group: 'autoscaling', version: 'v1', kind: 'Scale' },
];

describe('decodeTyped: random values at random schema paths', () => {
  for (const gvk of kinds) {
    const paths = schemaPaths(gvk);
    const root = definition(definitionNameFor(gvk)!)!;
    it(`${gvk.kind}: never throws, and what it accepts conforms to the schema (${paths.length} paths)`, () => {
      fc.assert(
        fc.property(fc.constantFrom(...paths), hostileValue, fc.constantFrom<DecodeMode>('json', 'unstructured'), (path, value, mode) => {
          const body = withValueAt({ metadata: { name: 'x' } }, path, value);
          const r = decodeTyped(gvk, body, mode);
          if (r.error !== undefined) {
            assert.equal(typeof r.error, 'string');
            assert.ok(r.error.length > 0);
            return;
          }
          const bad = conforms(root, r.value, '');
          assert.equal(bad, undefined, `accepted a wrong type at ${bad} for ${JSON.stringify(body)}`);
        }),
        { numRuns: 1500 },
      );
    });
  }
});
