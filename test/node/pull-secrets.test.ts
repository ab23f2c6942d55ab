import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Secret } from '../../src/api/core.js';
import { decodeDockerConfig } from '../../src/node/pull-secrets.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (type: string, data: Record<string, string>): Secret => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type, data }) as Secret;

test('imagePullSecrets: dockerconfigjson auths, legacy dockercfg, malformed ones skipped', () => {
  const auths = { '127.0.0.1:5000': { auth: b64('u:p') } };
  assert.deepEqual(decodeDockerConfig(secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64(JSON.stringify({ auths })) })), auths);
  assert.deepEqual(decodeDockerConfig(secret('kubernetes.io/dockercfg', { '.dockercfg': b64(JSON.stringify(auths)) })), auths);
  assert.equal(decodeDockerConfig(secret('kubernetes.io/dockerconfigjson', { '.dockerconfigjson': b64('{not json') })), undefined);
  assert.equal(decodeDockerConfig(secret('Opaque', { other: b64('x') })), undefined);
});
