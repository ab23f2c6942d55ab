// The ServiceAccounts controller against a real API server: "default" appears in the namespaces
// the server bootstraps and in new ones, comes back when deleted, and is not made in a
// namespace being deleted.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Namespace, ServiceAccount } from '../../../src/api/core.js';
import { R } from '../../../src/client/resources.js';
import { eventually, startControllerCluster, type ControllerCluster } from '../cluster.js';

describe('ServiceAccounts controller', () => {
  let c: ControllerCluster;
  before(async () => {
    c = await startControllerCluster();
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
});
