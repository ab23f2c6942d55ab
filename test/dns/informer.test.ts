// startDNS over real informers: an in-process API server, the in-process client, the shared
// informer factory. A Service created or deleted through the API is answered within 1 s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { LocalClient } from '../../src/apiserver/local-client.js';
import { InformerFactoryImpl } from '../../src/client/informer.js';
import { R } from '../../src/client/resources.js';
import type { Service } from '../../src/api/core.js';
import type { EndpointSlice } from '../../src/api/discovery.js';
import { startDNS, type DNSHandle } from '../../src/dns/index.js';
import { startTestCluster, eventually, type TestCluster } from '../client/cluster.js';
import { decode, query, udp, type Target } from './client.js';
import { sorted } from './helpers.js';
import { ep, slice, svc } from './fixture.js';

let cluster: TestCluster;
let client: LocalClient;
let factory: InformerFactoryImpl;
let dns: DNSHandle;
let at: Target;

before(async () => {
  cluster = await startTestCluster();
  client = new LocalClient(cluster.api);
  factory = new InformerFactoryImpl(client);
  dns = await startDNS(factory, { listen: [{ host: '127.0.0.1', port: 0 }], upstreams: [] });
  at = dns.addresses[0]!;
});
after(async () => {
  await dns.stop();
  factory.stop();
  await cluster.stop();
});

const ask = async (name: string, type = 'A') => decode(await udp(at, query(name, type)));

test('SERVFAIL until the informers have synced, then the cluster answers', async () => {
  assert.equal(dns.ready(), false);
  assert.equal((await ask('kubernetes.default.svc.cluster.local')).rcode, 'SERVFAIL');
  factory.start();
  await factory.waitForSync();
  assert.equal(dns.ready(), true);
  const r = await ask('kubernetes.default.svc.cluster.local');
  assert.equal(r.rcode, 'NOERROR');
  assert.equal(r.answers!.length, 1);
});

test('a new Service answers within 1 s, a deleted one is NXDOMAIN within 1 s', async () => {
  const created = await client.create<Service>(R.services, 'default', svc('default', 'fresh', { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }));
  const ip = created.spec.clusterIP!;
  const t0 = Date.now();
  await eventually(async () => assert.deepEqual(sorted((await ask('fresh.default.svc.cluster.local')).answers), [`A ${ip}`]), 1000, 'new Service answered');
  const addMs = Date.now() - t0;
  await client.delete(R.services, 'default', 'fresh');
  const t1 = Date.now();
  await eventually(async () => assert.equal((await ask('fresh.default.svc.cluster.local')).rcode, 'NXDOMAIN'), 1000, 'deleted Service gone');
  const delMs = Date.now() - t1;
  console.log(`# DNS saw a Service create after ${addMs} ms and a delete after ${delMs} ms`);
});

test('headless Service with EndpointSlices from the API: A per ready endpoint, hostnames, PTR', async () => {
  await client.create<Service>(R.services, 'default', svc('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }));
  await client.create<EndpointSlice>(
    R.endpointslices,
    'default',
    slice('default', 'db', 'db-1', [ep('127.244.0.51', true, 'db-0'), ep('127.244.0.52', true, 'db-1'), ep('127.244.0.53', false, 'db-2')], [{ name: 'pg', port: 5432 }]),
  );
  await eventually(async () => assert.deepEqual(sorted((await ask('db.default.svc.cluster.local')).answers), ['A 127.244.0.51', 'A 127.244.0.52']), 1000);
  assert.deepEqual(sorted((await ask('db-1.db.default.svc.cluster.local')).answers), ['A 127.244.0.52']);
  assert.deepEqual(sorted((await ask('_pg._tcp.db.default.svc.cluster.local', 'SRV')).answers), [
    'SRV 0 50 5432 db-0.db.default.svc.cluster.local',
    'SRV 0 50 5432 db-1.db.default.svc.cluster.local',
  ]);
  assert.deepEqual(sorted((await ask('51.0.244.127.in-addr.arpa', 'PTR')).answers), ['PTR db-0.db.default.svc.cluster.local']);
  // The endpoint turns ready: it appears.
  await client.patch(R.endpointslices, 'default', 'db-1', 'json', [{ op: 'replace', path: '/endpoints/2/conditions/ready', value: true }]);
  await eventually(async () => assert.equal((await ask('db.default.svc.cluster.local')).answers!.length, 3), 1000);
});

test('namespaces come from the API: an empty one is NODATA, a missing one NXDOMAIN', async () => {
  assert.equal((await ask('kube-public.svc.cluster.local')).rcode, 'NOERROR');
  assert.equal((await ask('nowhere.svc.cluster.local')).rcode, 'NXDOMAIN');
});
