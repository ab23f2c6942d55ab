// []byte fields (OpenAPI format "byte": Secret.data, ConfigMap.binaryData) decode as Go's
// encoding/json does: base64.StdEncoding with padding, CR/LF skipped, errors naming the byte.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTyped } from '../../../src/api/schema/index.js';
import { base64Error } from '../../../src/api/schema/go-scalars.js';

const secret = { group: '', version: 'v1', kind: 'Secret' };
const configMap = { group: '', version: 'v1', kind: 'ConfigMap' };

describe('base64Error (Go base64.StdEncoding.Decode)', () => {
  const cases: [string, string | undefined][] = [
    ['', undefined],
    ['YQ==', undefined],
    ['YWI=', undefined],
    ['YWJj', undefined],
    ['YW\nJj\r\n', undefined],
    ['YQ', 'illegal base64 data at input byte 0'],
    ['YWJ', 'illegal base64 data at input byte 0'],
    ['Y', 'illegal base64 data at input byte 0'],
    ['YWJjY', 'illegal base64 data at input byte 4'],
    ['not base64!', 'illegal base64 data at input byte 3'],
    ['YQ=', 'illegal base64 data at input byte 3'],
    ['YQ==YQ==', 'illegal base64 data at input byte 4'],
    ['Y===', 'illegal base64 data at input byte 1'],
    ['=', 'illegal base64 data at input byte 0'],
    ['YWJj-_', 'illegal base64 data at input byte 4'],
    ['YQ=x', 'illegal base64 data at input byte 2'],
  ];
  for (const [input, want] of cases) {
    it(JSON.stringify(input), () => assert.equal(base64Error(input), want));
  }
});

describe('decodeTyped: format byte', () => {
  it('accepts base64 and a JSON array of bytes (stored as base64)', () => {
    assert.deepEqual(decodeTyped(secret, { data: { a: 'YQ==' } }, 'json'), { value: { data: { a: 'YQ==' } } });
    assert.deepEqual(decodeTyped(secret, { data: { a: [104, 105] } }, 'json').value, { data: { a: 'aGk=' } });
  });
  it('refuses bad base64 with the decoder error, in both decoders', () => {
    assert.equal(decodeTyped(secret, { data: { a: 'not base64!' } }, 'json').error, 'illegal base64 data at input byte 3');
    assert.equal(decodeTyped(configMap, { binaryData: { a: 'YQ' } }, 'unstructured').error, 'illegal base64 data at input byte 0');
  });
  it('refuses other JSON types with their Go type', () => {
    assert.equal(decodeTyped(secret, { data: { a: 5 } }, 'json').error, 'json: cannot unmarshal number into Go struct field Secret.data of type []uint8');
    assert.equal(decodeTyped(secret, { data: { a: [300] } }, 'json').error, 'json: cannot unmarshal number 300 into Go struct field Secret.data of type uint8');
    assert.equal(decodeTyped(secret, { stringData: { a: 5 } }, 'json').error, 'json: cannot unmarshal number into Go struct field Secret.stringData of type string');
    assert.equal(decodeTyped(secret, { type: 5 }, 'json').error, 'json: cannot unmarshal number into Go struct field Secret.type of type v1.SecretType');
  });
});
