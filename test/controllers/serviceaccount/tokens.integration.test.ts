// The tokens controller against a real API server: a legacy token Secret is filled for its
// ServiceAccount, and once deleted it is taken out of the account's `secrets` list (upstream's
// removeSecretReference), other references staying.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Secret, ServiceAccount } from '../../../src/api/core.js';
import { R } from '../../../src/client/resources.js';
import { eventually, startControllerCluster, type ControllerCluster } from '../cluster.js';

describe('tokens controller', () => {
  let c: ControllerCluster;
  before(async () => {
    c = await startControllerCluster({ legacyTokens: (sa, secret) => `token-for-${sa.name}-${secret}` });
  });
  after(async () => {
    await c.stop();
  });

  it('fills a token Secret, and a deleted one leaves its account’s secrets list', async () => {
    await c.client.create<ServiceAccount>(R.serviceaccounts, 'default', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'bot' },
      secrets: [{ name: 'bot-token' }, { name: 'other' }],
    });
    await c.client.create<Secret>(R.secrets, 'default', {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: { name: 'bot-token', annotations: { 'kubernetes.io/service-account.name': 'bot' } },
    });
    await eventually(async () => {
      const s = await c.client.get<Secret>(R.secrets, 'default', 'bot-token');
      assert.equal(Buffer.from(s.data?.['token'] ?? '', 'base64').toString(), 'token-for-bot-bot-token');
    });
    await c.client.delete(R.secrets, 'default', 'bot-token');
    await eventually(async () => {
      const sa = await c.client.get<ServiceAccount>(R.serviceaccounts, 'default', 'bot');
      assert.deepEqual(sa.secrets, [{ name: 'other' }]);
    });
  });
});
