// The ServiceAccounts controller against a real API server: "default" appears in the namespaces
// the server bootstraps and in new ones, comes back when deleted, and is not made in a
// namespace being deleted. The tokens controller, on the same server: a legacy token Secret is
// filled for its ServiceAccount, and once deleted it is taken out of the account's `secrets` list
// (upstream's removeSecretReference), other references staying.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Namespace, Secret, ServiceAccount } from '../../../src/api/core.js';
import { R } from '../../../src/client/resources.js';
import { eventually, startControllerCluster, type ControllerCluster } from '../cluster.js';

describe('ServiceAccounts controller', () => {
  let c: ControllerCluster;
  before(async () => {
    c = await startControllerCluster({ legacyTokens: (sa, secret) => `token-for-${sa.name}-${secret}` });
  });
  after(async () => {
    await c.stop();
  });

  const defaultIn = (ns: string): Promise<ServiceAccount> => c.client.get<ServiceAccount>(R.serviceaccounts, ns, 'default');

  it('creates default in the bootstrap namespaces', async () => {
    await eventually(async () => {
      for (const ns of ['default', 'kube-system']) await defaultIn(ns);
    });
  });

  it('creates default in a new namespace and re-creates it when deleted', async () => {
    await c.client.create<Namespace>(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    await eventually(() => defaultIn('team-a'));
    const first = await defaultIn('team-a');
    await c.client.delete(R.serviceaccounts, 'team-a', 'default');
    await eventually(async () => {
      const again = await defaultIn('team-a');
      assert.notEqual(again.metadata.uid, first.metadata.uid);
    });
  });

  it('leaves other accounts alone', async () => {
    await c.client.create<ServiceAccount>(R.serviceaccounts, 'default', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot' } });
    await c.client.delete(R.serviceaccounts, 'default', 'bot');
    await new Promise((r) => setTimeout(r, 200));
    await assert.rejects(c.client.get(R.serviceaccounts, 'default', 'bot'), (e: { code?: number }) => e.code === 404);
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
