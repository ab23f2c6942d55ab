// The shared client, informer and event suites in process, calling the registry directly.
import { LocalClient } from '../../src/apiserver/local-client.js';
import { startTestCluster } from './cluster.js';
import { runClientSuite } from './client-suite.js';
import { runInformerSuite } from './informer-suite.js';
import { runEventSuite } from './events-suite.js';
import type { Setup } from './fixtures.js';

const setup: Setup = async () => {
  const cluster = await startTestCluster();
  const client = new LocalClient(cluster.api);
  return { client, api: cluster.api, close: () => cluster.stop() };
};

runClientSuite('LocalClient', setup);
runInformerSuite('LocalClient', setup);
runEventSuite('LocalClient', setup);
