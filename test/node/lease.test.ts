// The node heartbeat's retries: a renewal that fails (an API server went away mid-request) is
// tried again within the same renew interval, a few times with growing pauses, as upstream's lease
// controller retries, instead of leaving the node silent for a whole interval. The client is a
// fake here: only the Lease calls it sees and what it answers matter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renewLeaseRetrying, type Lease } from '../../src/node/lease.js';
import type { Client } from '../../src/client/client.js';

function fakeClient(failures: number): { client: Client; updates: Lease[]; calls: () => number } {
  let calls = 0;
  const updates: Lease[] = [];
  const stored: Lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n1', namespace: 'kube-node-lease', resourceVersion: '5' }, spec: { holderIdentity: 'n1' } };
  const client = {
    async get() {
      calls++;
      if (calls <= failures) throw new Error('socket hang up');
      return stored;
    },
    async update(_r: unknown, _ns: string, lease: Lease) {
      updates.push(lease);
      return lease;
    },
  } as unknown as Client;
  return { client, updates, calls: () => calls };
}

test('a renewal that fails is tried again at once with growing pauses, and the renewed Lease carries a new renewTime', async () => {
  const { client, updates, calls } = fakeClient(2);
  const pauses: number[] = [];
  const lease = await renewLeaseRetrying(client, 'n1', () => undefined, { sleep: async (ms) => void pauses.push(ms) });
  assert.deepEqual(pauses, [200, 400]);
  assert.equal(calls(), 3);
  assert.equal(updates.length, 1);
  assert.equal(lease.spec?.holderIdentity, 'n1');
  assert.equal(lease.spec?.leaseDurationSeconds, 40);
  assert.match(lease.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

test('after the last try the error reaches the caller (the next interval tries again); a stopped agent does not retry', async () => {
  const { client, calls } = fakeClient(100);
  const pauses: number[] = [];
  await assert.rejects(renewLeaseRetrying(client, 'n1', () => undefined, { sleep: async (ms) => void pauses.push(ms) }), /socket hang up/);
  assert.equal(calls(), 5);
  assert.deepEqual(pauses, [200, 400, 800, 1600]);

  const stoppedClient = fakeClient(100);
  await assert.rejects(renewLeaseRetrying(stoppedClient.client, 'n1', () => undefined, { stopped: () => true, sleep: async () => undefined }), /socket hang up/);
  assert.equal(stoppedClient.calls(), 1);
});
