import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.js';
import type { Client } from '../../../src/client/client.js';
import { StatusError } from '../../../src/machinery/status.js';
import { refreshAt, ServiceAccountTokens } from '../../../src/node/volumes/service-account-tokens.js';

const pod: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u1' }, spec: { serviceAccountName: 'robot', containers: [] } };

test('asks the TokenRequest subresource bound to the pod, and again at 80% of the lifetime', async () => {
  let now = 1_000_000;
  const asked: any[] = [];
  const client = {
    create: async (res: any, ns: string, obj: any, opts: any) => {
      asked.push({ res: res.resource, ns, obj, opts });
      return { ...obj, status: { token: `t${asked.length}`, expirationTimestamp: new Date(now + 3600_000).toISOString() } };
    },
  } as unknown as Client;
  const tokens = new ServiceAccountTokens(client, undefined, () => now);
  assert.equal(await tokens.token(pod, { path: 'token', expirationSeconds: 3600, audience: 'vault' }), 't1');
  assert.equal(asked[0].res, 'serviceaccounts');
  assert.deepEqual(asked[0].opts, { subresource: 'token' });
  assert.equal(asked[0].obj.metadata.name, 'robot');
  assert.deepEqual(asked[0].obj.spec, { audiences: ['vault'], expirationSeconds: 3600, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u1' } });
  now += 0.79 * 3600_000;
  assert.equal(await tokens.token(pod, { path: 'token', expirationSeconds: 3600, audience: 'vault' }), 't1');
  assert.equal(tokens.nextRefresh('u1'), 1_000_000 + 0.8 * 3600_000);
  now += 0.02 * 3600_000;
  assert.equal(await tokens.token(pod, { path: 'token', expirationSeconds: 3600, audience: 'vault' }), 't2');
  tokens.forget('u1');
  assert.equal(tokens.nextRefresh('u1'), undefined);
});

test('a day-long token is refreshed after 24 h at the latest', () => {
  assert.equal(refreshAt({ issuedAt: 0, expiresAt: 10 * 24 * 3600_000 }), 24 * 3600_000);
});

test('a server without TokenRequest: told, no token, not asked again for a while', async () => {
  let calls = 0;
  const told: string[] = [];
  const client = {
    create: async () => {
      calls++;
      throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
    },
  } as unknown as Client;
  const tokens = new ServiceAccountTokens(client, (_p, m) => told.push(m));
  assert.equal(await tokens.token(pod, { path: 'token' }), undefined);
  assert.equal(await tokens.token(pod, { path: 'token' }), undefined);
  assert.equal(calls, 1);
  assert.match(told[0]!, /does not serve serviceaccounts\/token/);
  // A missing account is a real failure.
  const missing = new ServiceAccountTokens({ create: async () => Promise.reject(new StatusError(404, 'NotFound', 'serviceaccounts "robot" not found', { name: 'robot', kind: 'serviceaccounts' })) } as unknown as Client);
  await assert.rejects(missing.token(pod, { path: 'token' }), /not found/);
});
