// The shared client, informer and event suites over HTTPS, with the client built from the
// kubeconfig the cluster wrote, as a separate process would.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HttpClient } from '../../src/client/http-client.js';
import { InformerFactoryImpl } from '../../src/client/informer.js';
import { R } from '../../src/client/resources.js';
import { startTestCluster, eventually, sleep } from './cluster.js';
import { runClientSuite } from './client-suite.js';
import { runInformerSuite } from './informer-suite.js';
import { runEventSuite } from './events-suite.js';
import { endpoints, namespace, type Setup } from './fixtures.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { apiServerURLs } from '../../src/node/api-servers.js';
import { freePort } from '../storage/etcd-server.js';

const setup: Setup = async () => {
  const cluster = await startTestCluster();
  const client = HttpClient.fromKubeconfig(cluster.kubeconfig);
  return {
    client,
    api: cluster.api,
    async close() {
      client.close();
      await cluster.stop();
    },
  };
};

runClientSuite('HttpClient', setup);
runInformerSuite('HttpClient', setup);
runEventSuite('HttpClient', setup);

describe('HttpClient across an API server outage', () => {
  it('informers reconnect with backoff and catch up; requests fail while it is down', async () => {
    const cluster = await startTestCluster();
    const client = HttpClient.fromKubeconfig(cluster.kubeconfig);
    const fac = new InformerFactoryImpl(client);
    try {
      await client.create(R.namespaces, undefined, namespace('outage'));
      await client.create(R.endpoints, 'outage', endpoints('before', 'outage'));
      const inf = fac.informer(R.endpoints, { namespace: 'outage' });
      const log: string[] = [];
      inf.addEventHandler({ onAdd: (o) => log.push(`add ${o.metadata.name}`), onDelete: (o) => log.push(`delete ${o.metadata.name}`) });
      fac.start();
      await fac.waitForSync();
      assert.deepEqual(log, ['add before']);

      await cluster.stopApi();
      await assert.rejects(client.get(R.endpoints, 'outage', 'before'), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
      await sleep(300);
      await cluster.startApi();

      await client.create(R.endpoints, 'outage', endpoints('after', 'outage'));
      await client.delete(R.endpoints, 'outage', 'before');
      await eventually(() => assert.deepEqual(log, ['add before', 'add after', 'delete before']), 15_000);
      assert.deepEqual(inf.lister.list('outage').map((o) => o.metadata.name), ['after']);
    } finally {
      fac.stop();
      client.close();
      await cluster.stop();
    }
  });
});

describe('HttpClient under a burst', () => {
  it('queues a thousand concurrent requests on a bounded pool instead of failing', async () => {
    const cluster = await startTestCluster();
    const client = HttpClient.fromKubeconfig(cluster.kubeconfig);
    try {
      const got = await Promise.all(Array.from({ length: 1000 }, () => client.get(R.namespaces, undefined, 'default')));
      assert.equal(got.length, 1000);
      assert.ok(got.every((n) => n.metadata.name === 'default'));
    } finally {
      client.close();
      await cluster.stop();
    }
  });
});

describe('HttpClient with a bearer token (as a pod uses its ServiceAccount token)', () => {
  it('is the ServiceAccount: 403 until a RoleBinding lets it list, then lists and watches; a rotated token is read per request', async () => {
    const cluster = await startTestCluster();
    const admin = HttpClient.fromKubeconfig(cluster.kubeconfig);
    const { loadKubeconfig } = await import('../../src/client/kubeconfig.js');
    const { server, ca } = loadKubeconfig(cluster.kubeconfig);
    try {
      await admin.create(R.namespaces, undefined, namespace('tok'));
      await admin.create({ group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true }, 'tok', { metadata: { name: 'reader' } } as never);
      const mint = async () =>
        ((await admin.create({ group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true }, 'tok', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name: 'reader' }, spec: {} } as never, { subresource: 'token' })) as unknown as { status: { token: string } }).status.token;
      let current = await mint();
      const client = new HttpClient({ server, ca, token: () => current });
      try {
        await assert.rejects(client.list(R.endpoints, 'tok'), (e: Error & { code?: number }) => e.code === 403 || /forbidden/i.test(e.message));
        // A Role of its own: this bare API server runs no aggregation controller to fill `view`.
        await admin.create({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', kind: 'Role', namespaced: true }, 'tok', {
          metadata: { name: 'endpoints-reader' },
          rules: [{ apiGroups: [''], resources: ['endpoints'], verbs: ['get', 'list', 'watch'] }],
        } as never);
        await admin.create({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', kind: 'RoleBinding', namespaced: true }, 'tok', {
          metadata: { name: 'reader-view' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'endpoints-reader' },
          subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'tok' }],
        } as never);
        await admin.create(R.endpoints, 'tok', endpoints('seen', 'tok'));
        let names: string[] = [];
        await eventually(async () => (names = (await client.list(R.endpoints, 'tok')).items.map((i) => i.metadata.name ?? '')));
        assert.deepEqual(names, ['seen']);
        // The next token is used from the next request on, watches included.
        current = await mint();
        const fac = new InformerFactoryImpl(client);
        const inf = fac.informer(R.endpoints, { namespace: 'tok' });
        fac.start();
        await fac.waitForSync();
        await admin.create(R.endpoints, 'tok', endpoints('later', 'tok'));
        await eventually(async () => assert.ok(inf.lister.get('tok', 'later')));
        fac.stop();
        current = 'not-a-token';
        await assert.rejects(client.list(R.endpoints, 'tok'), (e: Error & { code?: number }) => e.code === 401 || /unauthorized/i.test(e.message));
      } finally {
        client.close();
      }
    } finally {
      admin.close();
      await cluster.stop();
    }
  });
});

describe('HttpClient with several API servers', () => {
  it('fails over to the next server when the one in use refuses connections, for requests and watches', async () => {
    const cluster = await startTestCluster();
    const creds = loadKubeconfig(cluster.kubeconfig);
    // A port nobody listens on: the "server" that died.
    const dead = `https://127.0.0.1:${await freePort()}`;
    const client = new HttpClient({ ...creds, server: dead });
    // A second client whose informer starts on the dead server.
    const watcher = new HttpClient({ ...creds, server: dead });
    watcher.setServers([dead, creds.server]);
    const fac = new InformerFactoryImpl(watcher);
    try {
      await assert.rejects(client.list(R.namespaces, undefined), (e: NodeJS.ErrnoException) => e.code === 'ECONNREFUSED');
      client.setServers([dead, creds.server]);
      assert.deepEqual(client.serverURLs(), [dead, new URL(creds.server).origin]);
      const list = await client.list(R.namespaces, undefined);
      assert.ok(list.items.some((n) => n.metadata.name === 'default'));
      assert.deepEqual(client.serverURLs()[0], new URL(creds.server).origin);
      // An informer finds the live one too: it syncs and its watch sees a change.
      const inf = fac.informer(R.namespaces);
      const added: string[] = [];
      inf.addEventHandler({ onAdd: (o) => added.push(o.metadata.name!) });
      fac.start();
      await fac.waitForSync();
      await client.create(R.namespaces, undefined, namespace('after-failover'));
      await eventually(() => assert.ok(added.includes('after-failover')), 5000);
    } finally {
      fac.stop();
      client.close();
      watcher.close();
      await cluster.stop();
    }
  });

  it('keeps the server in use while it is listed, and moves off one no longer listed', () => {
    const client = new HttpClient({ server: 'https://127.0.0.1:1', ca: '' });
    try {
      client.setServers(['https://127.0.0.2:2', 'https://127.0.0.1:1']);
      assert.deepEqual(client.serverURLs(), ['https://127.0.0.1:1', 'https://127.0.0.2:2']);
      client.setServers(['https://127.0.0.3:3', 'https://127.0.0.2:2']);
      assert.deepEqual(client.serverURLs(), ['https://127.0.0.3:3', 'https://127.0.0.2:2']);
      client.setServers([]);
      assert.deepEqual(client.serverURLs(), ['https://127.0.0.3:3', 'https://127.0.0.2:2']);
    } finally {
      client.close();
    }
  });

  it('learns the servers from the kubernetes Endpoints: every address with the https port', () => {
    assert.deepEqual(
      apiServerURLs({
        metadata: { name: 'kubernetes', namespace: 'default' },
        subsets: [
          { addresses: [{ ip: '192.0.2.1' }, { ip: '192.0.2.2' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
          { addresses: [{ ip: '2001:db8::1' }], ports: [{ name: 'https', port: 16443, protocol: 'TCP' }] },
          { addresses: [{ ip: '192.0.2.9' }] },
        ],
      }),
      ['https://192.0.2.1:6443', 'https://192.0.2.2:6443', 'https://[2001:db8::1]:16443'],
    );
  });
});
