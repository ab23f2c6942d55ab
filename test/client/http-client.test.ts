// The shared client, informer and event suites over HTTPS, with the client built from the
// kubeconfig the cluster wrote, as a separate process would.
import { HttpClient } from '../../src/client/http-client.js';
import { startTestCluster } from './cluster.js';
import { runClientSuite } from './client-suite.js';
import { runInformerSuite } from './informer-suite.js';
import { runEventSuite } from './events-suite.js';
import type { Setup } from './fixtures.js';

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
