// ConfigMap, Secret and ServiceAccount: defaults (stringData merge, Opaque, secret references)
// and validation, with upstream's field paths and words.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod, Secret, ServiceAccount } from '../../../src/api/core.js';
import { setDefaultsPod } from '../../../src/api/defaults/pod.js';
import { admitPodServiceAccount } from '../../../src/apiserver/registry/pod-serviceaccount.js';
import { assertErrors, clone, strategyFor } from './helpers.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const cm = (data?: Record<string, string>, binaryData?: Record<string, string>): ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', namespace: 'default', resourceVersion: '1' },
  ...(data ? { data } : {}),
  ...(binaryData ? { binaryData } : {}),
});
const secret = (type: string | undefined, data?: Record<string, string>): Secret => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 's', namespace: 'default', resourceVersion: '1' },
  ...(type !== undefined ? { type } : {}),
  ...(data ? { data } : {}),
});
const keyMsg =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

describe('ConfigMap', () => {
  const rules = strategyFor('ConfigMap');
  it('accepts keys of letters, digits, dash, underscore and dot', () => {
    assertErrors(rules.validateCreate(cm({ 'app.properties': 'x', KEY_1: 'y', 'a-b': '' }, { 'blob.bin': b64('\x00\x01') })), 0, 'valid');
  });
  it('refuses bad keys with upstream words', () => {
    assertErrors(rules.validateCreate(cm({ 'a/b': 'x' })), [{ field: 'data[a/b]', type: 'FieldValueInvalid', message: `data[a/b]: Invalid value: "a/b": ${keyMsg}` }], 'slash');
    assertErrors(rules.validateCreate(cm({ '..': 'x' })), [{ field: 'data[..]', type: 'FieldValueInvalid', message: `data[..]: Invalid value: "..": must not be '..'` }], 'dotdot');
    assertErrors(rules.validateCreate(cm({ '..a': 'x' })), [{ field: 'data[..a]', type: 'FieldValueInvalid', message: `data[..a]: Invalid value: "..a": must not start with '..'` }], 'dotdot prefix');
    const long = 'k'.repeat(254);
    assertErrors(rules.validateCreate(cm(undefined, { [long]: '' })), [{ field: `binaryData[${long}]`, type: 'FieldValueInvalid', message: `binaryData[${long}]: Invalid value: "${long}": must be no more than 253 characters` }], '254');
  });
  it('refuses a key in both data and binaryData', () => {
    assertErrors(rules.validateCreate(cm({ k: 'x' }, { k: b64('y') })), [{ field: 'data[k]', type: 'FieldValueInvalid', message: 'data[k]: Invalid value: "k": duplicate of key present in binaryData' }], 'dup');
  });
  it('counts text and decoded binary bytes against 1 MiB, on the whole object', () => {
    const half = 'x'.repeat(512 * 1024);
    assertErrors(rules.validateCreate(cm({ a: half }, { b: b64(half) })), 0, 'exactly 1 MiB');
    assertErrors(rules.validateCreate(cm({ a: half, c: 'é' }, { b: b64(half) })), [{ field: '', type: 'FieldValueTooLong', message: ': Too long: may not be more than 1048576 bytes' }], 'one UTF-8 character over');
  });
  it('keeps data, binaryData and immutable once immutable is set', () => {
    const old = cm({ a: '1' }, { b: b64('2') });
    old.immutable = true;
    assertErrors(rules.validateUpdate(clone(old), old), 0, 'unchanged');
    const labelled = clone(old);
    labelled.metadata.labels = { x: 'y' };
    assertErrors(rules.validateUpdate(labelled, old), 0, 'metadata may change');
    const changed = clone(old);
    changed.data = { a: '1', extra: '' };
    changed.binaryData = {};
    delete changed.immutable;
    assertErrors(rules.validateUpdate(changed, old), [
      { field: 'immutable', type: 'FieldValueForbidden', message: 'immutable: Forbidden: field is immutable when `immutable` is set' },
      { field: 'data', type: 'FieldValueForbidden', message: 'data: Forbidden: field is immutable when `immutable` is set' },
      { field: 'binaryData', type: 'FieldValueForbidden' },
    ], 'changed');
    const mutable = cm({ a: '1' });
    assertErrors(rules.validateUpdate(cm({ a: '2' }), mutable), 0, 'a mutable one changes freely');
  });
});

describe('Secret', () => {
  const rules = strategyFor('Secret');
  it('merges stringData into data (stringData wins) and drops it; an empty type becomes Opaque', () => {
    const s = secret(undefined, { a: b64('old'), keep: b64('k') });
    s.stringData = { a: 'new', b: 'héllo' };
    rules.defaults(s);
    assert.deepEqual(s.data, { a: b64('new'), keep: b64('k'), b: b64('héllo') });
    assert.equal('stringData' in s, false);
    assert.equal(s.type, 'Opaque');
  });
  it('checks stringData keys as data keys', () => {
    const s = secret('Opaque');
    s.stringData = { 'a/b': 'x' };
    rules.defaults(s);
    assertErrors(rules.validateCreate(s), [{ field: 'data[a/b]', type: 'FieldValueInvalid', message: `data[a/b]: Invalid value: "a/b": ${keyMsg}` }], 'key');
  });
  it('bounds the decoded data at 1 MiB, reported on data', () => {
    const big = Buffer.alloc(1024 * 1024 + 1).toString('base64');
    assertErrors(rules.validateCreate(secret('Opaque', { big })), [{ field: 'data', type: 'FieldValueTooLong', message: 'data: Too long: may not be more than 1048576 bytes' }], 'big');
    assertErrors(rules.validateCreate(secret('Opaque', { big: Buffer.alloc(1024 * 1024).toString('base64') })), 0, 'exactly 1 MiB');
  });
  it('requires the keys of each built-in type', () => {
    const cases: [string, Record<string, string> | undefined, string[]][] = [
      ['kubernetes.io/tls', {}, ['data[tls.crt]: Required value', 'data[tls.key]: Required value']],
      ['kubernetes.io/tls', { 'tls.crt': '', 'tls.key': '' }, []],
      ['kubernetes.io/basic-auth', {}, ['data[username]: Required value', 'data[password]: Required value']],
      ['kubernetes.io/basic-auth', { password: '' }, []],
      ['kubernetes.io/ssh-auth', { 'ssh-privatekey': '' }, ['data[ssh-privatekey]: Required value']],
      ['kubernetes.io/ssh-auth', { 'ssh-privatekey': b64('k') }, []],
      ['kubernetes.io/dockerconfigjson', {}, ['data[.dockerconfigjson]: Required value']],
      ['kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{"auths":{}}') }, []],
      [
        'kubernetes.io/dockerconfigjson',
        { '.dockerconfigjson': b64('auths') },
        [`data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character 'a' looking for beginning of value`],
      ],
      [
        'kubernetes.io/dockerconfigjson',
        { '.dockerconfigjson': b64('nope') },
        [`data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character 'o' in literal null (expecting 'u')`],
      ],
      [
        'kubernetes.io/dockerconfigjson',
        { '.dockerconfigjson': b64('{"auths":{"r":{}},}') },
        [`data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character '}' looking for beginning of object key string`],
      ],
      [
        'kubernetes.io/dockercfg',
        { '.dockercfg': b64('{"a":1} x') },
        [`data[.dockercfg]: Invalid value: "<secret contents redacted>": invalid character 'x' after top-level value`],
      ],
      [
        'kubernetes.io/dockercfg',
        { '.dockercfg': b64('{"a":[1 2]}') },
        [`data[.dockercfg]: Invalid value: "<secret contents redacted>": invalid character '2' after array element`],
      ],
      [
        'kubernetes.io/dockercfg',
        { '.dockercfg': b64('{"a":-x}') },
        [`data[.dockercfg]: Invalid value: "<secret contents redacted>": invalid character 'x' in numeric literal`],
      ],
      [
        'kubernetes.io/dockercfg',
        { '.dockercfg': b64('{"a":"\\q"}') },
        [`data[.dockercfg]: Invalid value: "<secret contents redacted>": invalid character 'q' in string escape code`],
      ],
      [
        'kubernetes.io/dockercfg',
        { '.dockercfg': b64('{"a" 1}') },
        [`data[.dockercfg]: Invalid value: "<secret contents redacted>": invalid character '1' after object key`],
      ],
      ['kubernetes.io/dockercfg', { '.dockercfg': b64('{"a":') }, ['data[.dockercfg]: Invalid value: "<secret contents redacted>": unexpected end of JSON input']],
      [
        'kubernetes.io/dockerconfigjson',
        { '.dockerconfigjson': b64('[1]') },
        ['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array into Go value of type map[string]interface {}'],
      ],
      ['kubernetes.io/dockercfg', { '.dockercfg': b64('') }, ['data[.dockercfg]: Invalid value: "<secret contents redacted>": unexpected end of JSON input']],
      ['kubernetes.io/service-account-token', {}, ['metadata.annotations[kubernetes.io/service-account.name]: Required value']],
      ['example.com/own-type', {}, []],
    ];
    for (const [type, data, want] of cases) {
      const got = rules.validateCreate(secret(type, data)).map((e) => `${e.field}: ${e.type === 'FieldValueRequired' ? 'Required value' : `Invalid value: ${JSON.stringify(e.badValue)}: ${e.detail}`}`);
      assert.deepEqual(got, want, `${type} ${JSON.stringify(data)}`);
    }
  });
  it('keeps its type, and its data once immutable', () => {
    const old = secret('kubernetes.io/tls', { 'tls.crt': b64('c'), 'tls.key': b64('k') });
    const retyped = clone(old);
    retyped.type = 'Opaque';
    assertErrors(rules.validateUpdate(retyped, old), [{ field: 'type', type: 'FieldValueInvalid', message: 'type: Invalid value: "Opaque": field is immutable' }], 'type');
    const frozen = secret('Opaque', { a: b64('1') });
    frozen.immutable = true;
    const edited = clone(frozen);
    edited.data = { a: b64('2') };
    assertErrors(rules.validateUpdate(edited, frozen), [{ field: 'data', type: 'FieldValueForbidden', message: 'data: Forbidden: field is immutable when `immutable` is set' }], 'data');
    const thawed = clone(frozen);
    thawed.immutable = false;
    assertErrors(rules.validateUpdate(thawed, frozen), [{ field: 'immutable', type: 'FieldValueForbidden' }], 'immutable');
  });
});

describe('ServiceAccount', () => {
  const rules = strategyFor('ServiceAccount');
  it('keeps only the name of each secret reference', () => {
    const sa: ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot', namespace: 'default' }, secrets: [{ name: 't', namespace: 'x', uid: 'u', kind: 'Secret' }] };
    rules.prepareForCreate!(sa);
    assert.deepEqual(sa.secrets, [{ name: 't' }]);
    assertErrors(rules.validateCreate(sa), 0, 'valid');
  });
  it('names are DNS subdomains', () => {
    const sa: ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'Bot_1', namespace: 'default' } };
    assertErrors(rules.validateCreate(sa), [{ field: 'metadata.name', type: 'FieldValueInvalid' }], 'name');
  });
});

describe('Pod service account', () => {
  const pod = (spec: Partial<Pod['spec']> = {}): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'i' }], ...spec } });
  it('defaults to default on create, with serviceAccount mirrored', () => {
    const p = pod();
    setDefaultsPod(p);
    admitPodServiceAccount(p);
    assert.equal(p.spec!.serviceAccountName, 'default');
    assert.equal(p.spec!.serviceAccount, 'default');
  });
  it('reads the deprecated serviceAccount when serviceAccountName is empty', () => {
    const p = pod({ serviceAccount: 'bot' });
    setDefaultsPod(p);
    admitPodServiceAccount(p);
    assert.equal(p.spec!.serviceAccountName, 'bot');
    assert.equal(p.spec!.serviceAccount, 'bot');
  });
  it('leaves mirror pods alone', () => {
    const p = pod();
    p.metadata.annotations = { 'kubernetes.io/config.mirror': 'x' };
    admitPodServiceAccount(p);
    assert.equal(p.spec!.serviceAccountName, undefined);
  });
});
