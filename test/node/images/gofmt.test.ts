import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoDuration, goJSON, parseGoDuration } from '../../../src/node/images/lib/gofmt.js';
import { FlagError, parseFlags, type FlagSpec } from '../../../src/node/images/lib/flags.js';
import { bindAddress, sourceAddress } from '../../../src/node/images/lib/env.js';

describe('Go formats', () => {
  it('time.ParseDuration', () => {
    const cases: [string, number][] = [
      ['0', 0],
      ['1s', 1e9],
      ['500ms', 5e8],
      ['1.5s', 1.5e9],
      ['1m30s', 90e9],
      ['2h', 7200e9],
      ['-1s', -1e9],
      ['10us', 1e4],
      ['10µs', 1e4],
      ['.5s', 5e8],
    ];
    for (const [s, ns] of cases) assert.equal(parseGoDuration(s), ns, s);
    assert.throws(() => parseGoDuration('soon'), { message: 'time: invalid duration "soon"' });
    assert.throws(() => parseGoDuration('5'), { message: 'time: missing unit in duration "5"' });
    assert.throws(() => parseGoDuration('5d'), { message: 'time: unknown unit "d" in duration "5d"' });
  });
  it('Duration.String', () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [1e9, '1s'],
      [5e8, '500ms'],
      [1.5e9, '1.5s'],
      [90e9, '1m30s'],
      [7200e9, '2h0m0s'],
      [1500, '1.5µs'],
      [12, '12ns'],
    ];
    for (const [ns, s] of cases) assert.equal(formatGoDuration(ns), s, s);
  });
  it('json.Marshal of maps: sorted keys, HTML-safe escapes', () => {
    assert.equal(goJSON({ responses: ['a'], errors: ['x<y>&z'] }), '{"errors":["x\\u003cy\\u003e\\u0026z"],"responses":["a"]}');
    assert.equal(goJSON({}), '{}');
  });
});

describe('pflag-style flags', () => {
  const specs: FlagSpec[] = [
    { name: 'port', kind: 'int', default: 9376, usage: '' },
    { name: 'http', kind: 'bool', default: true, usage: '' },
    { name: 'tcp', kind: 'bool', default: false, usage: '' },
    { name: 'name', kind: 'string', default: '', usage: '' },
    { name: 'v', shorthand: 'v', kind: 'string', default: '0', usage: '' },
  ];
  it('parses the forms pflag accepts', () => {
    assert.deepEqual(parseFlags(['--port', '80', '--http=false', '--tcp', '--name=x', '-v=3'], specs).values, {
      port: 80,
      http: false,
      tcp: true,
      name: 'x',
      v: '3',
    });
    assert.equal(parseFlags(['--port=0x10'], specs).values.port, 16);
    assert.deepEqual(parseFlags(['a', '--tcp', '--', '--port'], specs).positional, ['a', '--port']);
  });
  it('errors in pflag wording', () => {
    assert.throws(() => parseFlags(['--nope'], specs), new FlagError('unknown flag: --nope'));
    assert.throws(() => parseFlags(['-x'], specs), new FlagError("unknown shorthand flag: 'x' in -x"));
    assert.throws(() => parseFlags(['--port'], specs), new FlagError('flag needs an argument: --port'));
    assert.throws(() => parseFlags(['--http=maybe'], specs), /strconv\.ParseBool: parsing "maybe": invalid syntax/);
  });
});

describe('source address for outgoing connections', () => {
  it('is the pod IP for loopback destinations only', () => {
    const env = { POD_IP: '127.244.0.7' };
    assert.equal(sourceAddress('127.96.0.12', env), '127.244.0.7');
    assert.equal(sourceAddress('10.0.0.1', env), undefined);
    assert.equal(sourceAddress('::1', env), undefined);
    assert.equal(sourceAddress('127.0.0.1', {}), undefined);
    assert.equal(sourceAddress('10.244.0.9', { POD_IP: '10.244.0.8' }), '10.244.0.8');
    assert.equal(sourceAddress('127.96.0.12', { POD_IP: '127.244.0.7', KUBESVC_POD_NETWORK: 'loopback' }), '127.244.0.7');
  });
  it('is left to the kernel in a netns of the pod\'s own', () => {
    const env = { POD_IP: '10.244.1.7', KUBESVC_POD_NETWORK: 'netns' };
    assert.equal(sourceAddress('10.96.0.12', env), undefined);
    assert.equal(sourceAddress('10.244.2.3', env), undefined);
  });
});

describe('bind address', () => {
  it('is POD_IP in loopback mode (pods share the stack), else the wildcard', () => {
    assert.equal(bindAddress({ POD_IP: '127.244.0.7' }), '127.244.0.7');
    assert.equal(bindAddress({ POD_IP: ' 127.244.0.7 ', KUBESVC_POD_NETWORK: 'loopback' }), '127.244.0.7');
    assert.equal(bindAddress({}), '0.0.0.0');
  });
  it('is the wildcard in netns mode, as upstream images bind', () => {
    assert.equal(bindAddress({ POD_IP: '10.244.1.7', KUBESVC_POD_NETWORK: 'netns' }), '0.0.0.0');
  });
});
