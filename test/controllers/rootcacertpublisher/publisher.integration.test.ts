// The root CA publisher against a real API server: kube-root-ca.crt holds the CA the server's
// certificate chains to, with upstream's description, in every namespace; edits and deletions
// are undone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import type { ConfigMap, Namespace } from '../../../src/api/core.js';
import { R } from '../../../src/client/resources.js';
import { Description, DescriptionAnnotation } from '../../../src/controllers/rootcacertpublisher/publisher.js';
import { eventually, startControllerCluster, type ControllerCluster } from '../cluster.js';

describe('root CA publisher', () => {
  let c: ControllerCluster;
  let ca: string;
  before(async () => {
    c = await startControllerCluster();
    // The CA is known once the server runs, so the publisher gets a manager of its own below.
    ca = c.api.opts.tls.ca;
  });
  after(async () => {
    await c.stop();
  });

  const rootCA = (ns: string): Promise<ConfigMap> => c.client.get<ConfigMap>(R.configmaps, ns, 'kube-root-ca.crt');

  it('publishes the serving CA in every namespace, edits and deletions undone', async () => {
    const { startControllers } = await import('../../../src/controllers/manager.js');
    const { InformerFactoryImpl } = await import('../../../src/client/informer.js');
    const informers = new InformerFactoryImpl(c.client);
    const mgr = startControllers(c.client, informers, { workers: 1, rootCA: ca, scheduler: false });
    try {
      await c.client.create<Namespace>(R.namespaces, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b' } });
      for (const ns of ['default', 'kube-system', 'team-b']) {
        await eventually(async () => {
          const cm = await rootCA(ns);
          assert.equal(cm.data?.['ca.crt'], ca);
          assert.equal(cm.metadata.annotations?.[DescriptionAnnotation], Description);
        });
      }
      // What a pod would do with it: the API server's certificate verifies against this CA.
      const serving = new X509Certificate(c.api.opts.tls.cert);
      assert.ok(serving.verify(new X509Certificate((await rootCA('team-b')).data!['ca.crt']!).publicKey));

      const edited = await rootCA('team-b');
      edited.data = { 'ca.crt': 'tampered', extra: 'x' };
      await c.client.update(R.configmaps, 'team-b', edited);
      await eventually(async () => assert.deepEqual((await rootCA('team-b')).data, { 'ca.crt': ca }));

      await c.client.delete(R.configmaps, 'team-b', 'kube-root-ca.crt');
      await eventually(async () => assert.equal((await rootCA('team-b')).data?.['ca.crt'], ca));
    } finally {
      mgr.stop();
      informers.stop();
    }
  });
});
