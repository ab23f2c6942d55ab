// The registry can serve a resource from a running API server and stop serving it: discovery,
// routing, OpenAPI, the watch cache (objects already in storage included), field selectors and
// the in-process client follow its current entries. A copy of the Lease entry under another
// resource name stands in for what a CustomResourceDefinition will add.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import { request } from '../e2e/harness.js';
import { leases } from '../../src/apiserver/registry/coordination/leases.js';
import { resourceInfo, fields } from '../../src/apiserver/resources.js';
import type { RegistryEntry } from '../../src/apiserver/registry/entry.js';
import type { RegistryChange } from '../../src/apiserver/registry/registry.js';
import { LocalClient } from '../../src/apiserver/local-client.js';

const group = 'coordination.k8s.io';
const base = `/apis/${group}/v1`;
const copies: RegistryEntry = {
  ...leases,
  info: resourceInfo({ group, version: 'v1', resource: 'leasecopies', kind: 'Lease', shortNames: ['lc'], fieldSelectors: fields('spec.holderIdentity') }),
};
const ref = { group, version: 'v1', resource: 'leasecopies', kind: 'Lease', namespaced: true };
const lease = (name: string, holder: string) => JSON.stringify({ apiVersion: `${group}/v1`, kind: 'Lease', metadata: { name }, spec: { holderIdentity: holder } });

describe('a registry entry added and removed at run time', () => {
  let t: TestApiServer;
  let c: { kubeconfig: string; url: string };
  before(async () => {
    t = await startTestApiServer({ prefix: 'kubesvc-registry-' });
    c = { kubeconfig: t.kubeconfig, url: t.api.url };
  });
  after(() => t.stop());

  it('is not served before it is added', async () => {
    assert.equal((await request(c, 'GET', `${base}/namespaces/default/leasecopies`)).status, 404);
    const names = (await request(c, 'GET', base)).json().resources.map((r: { name: string }) => r.name);
    assert.ok(!names.includes('leasecopies'));
  });

  it('is served, with what storage already held, as soon as it is added; listeners hear of it', async () => {
    // An object written before the resource was served, as a CRD's objects survive a restart.
    await t.backend.create(`/registry/${group}/leasecopies/default/earlier`, lease('earlier', 'old'));
    const heard: RegistryChange[] = [];
    const off = t.api.registry.onChange((ch) => heard.push(ch));
    t.api.registry.add(copies);
    off();
    assert.deepEqual(heard.map((h) => [h.type, h.entry.info.resource]), [['added', 'leasecopies']]);

    const doc = (await request(c, 'GET', base)).json();
    const res = doc.resources.find((r: { name: string }) => r.name === 'leasecopies');
    assert.deepEqual(res?.shortNames, ['lc']);
    assert.equal(res?.kind, 'Lease');

    const created = await request(c, 'POST', `${base}/namespaces/default/leasecopies`, lease('a', 'me'));
    assert.equal(created.status, 201, created.body);
    await request(c, 'POST', `${base}/namespaces/default/leasecopies`, lease('b', 'you'));
    const list = (await request(c, 'GET', `${base}/namespaces/default/leasecopies`)).json();
    assert.equal(list.kind, 'LeaseList');
    assert.deepEqual(list.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['a', 'b', 'earlier']);
    const mine = (await request(c, 'GET', `${base}/namespaces/default/leasecopies?fieldSelector=spec.holderIdentity%3Dme`)).json();
    assert.deepEqual(mine.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['a']);
    // The entry's strategy validates: a negative leaseDurationSeconds is upstream's 422.
    const bad = await request(c, 'POST', `${base}/namespaces/default/leasecopies`, JSON.stringify({ kind: 'Lease', metadata: { name: 'bad' }, spec: { leaseDurationSeconds: -1 } }));
    assert.equal(bad.status, 422, bad.body);
    // The leases themselves are a different resource: nothing of the copies shows there.
    const real = (await request(c, 'GET', `${base}/namespaces/default/leases`)).json();
    assert.ok(!real.items.some((i: { metadata: { name: string } }) => i.metadata.name === 'earlier'));
  });

  it('is in the OpenAPI document and reachable through the in-process client, with watches', async () => {
    const v3 = (await request(c, 'GET', `/openapi/v3/apis/${group}/v1`)).json();
    assert.ok(Object.keys(v3.paths).includes(`${base}/namespaces/{namespace}/leasecopies`));
    const client = new LocalClient(t.api);
    const got = await client.get(ref, 'default', 'a');
    assert.equal((got as unknown as { spec: { holderIdentity: string } }).spec.holderIdentity, 'me');
    const seen: string[] = [];
    const w = client.watch(ref, 'default', { resourceVersion: got.metadata.resourceVersion! }, (ev) => seen.push(`${ev.type} ${ev.object.metadata.name}`));
    await client.create(ref, 'default', JSON.parse(lease('c', 'them')));
    for (let i = 0; i < 100 && !seen.includes('ADDED c'); i++) await new Promise((r) => setTimeout(r, 20));
    w.stop();
    assert.ok(seen.includes('ADDED c'), seen.join(', '));
  });

  it('is gone from routing and discovery once removed', async () => {
    assert.equal(t.api.registry.remove(group, 'v1', 'leasecopies'), copies);
    assert.equal((await request(c, 'GET', `${base}/namespaces/default/leasecopies`)).status, 404);
    const names = (await request(c, 'GET', base)).json().resources.map((r: { name: string }) => r.name);
    assert.deepEqual(names.filter((n: string) => n.startsWith('lease')), ['leases']);
    const v3 = (await request(c, 'GET', `/openapi/v3/apis/${group}/v1`)).json();
    assert.ok(!Object.keys(v3.paths).includes(`${base}/namespaces/{namespace}/leasecopies`));
    // Served again, it finds its objects where they were.
    t.api.registry.add(copies);
    const list = (await request(c, 'GET', `${base}/namespaces/default/leasecopies`)).json();
    assert.deepEqual(list.items.map((i: { metadata: { name: string } }) => i.metadata.name), ['a', 'b', 'c', 'earlier']);
    assert.throws(() => t.api.registry.add(copies), /already served/);
  });
});
