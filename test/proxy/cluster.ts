// A real API server for the proxy's integration test, built as `kubesvc up` builds one
// (in-memory SQLite, fresh certificates in a temp dir, a free port), with the in-process
// client and informers the proxy gets from `up`.
import type { ApiServer } from '../../src/apiserver/server.js';
import { LocalClient } from '../../src/apiserver/local-client.js';
import { HttpClient } from '../../src/client/http-client.js';
import { InformerFactoryImpl } from '../../src/client/informer.js';
import type { Client } from '../../src/client/client.js';
import { startTestApiServer } from '../support/apiserver.js';

export interface ProxyTestCluster {
  api: ApiServer;
  client: Client;
  informers: InformerFactoryImpl;
  stop(): Promise<void>;
}

/** `local`: the in-process client `kubesvc up` wires; `http`: a separate process's client, from the kubeconfig. */
export async function startProxyTestCluster(clientKind: 'local' | 'http' = 'local'): Promise<ProxyTestCluster> {
  const t = await startTestApiServer({ prefix: 'kubesvc-proxy-' });
  const api = t.api;
  let client: Client;
  let closeClient = () => {};
  if (clientKind === 'http') {
    const http = HttpClient.fromKubeconfig(t.kubeconfig);
    client = http;
    closeClient = () => http.close();
  } else {
    client = new LocalClient(api);
  }
  const informers = new InformerFactoryImpl(client);
  return {
    api,
    client,
    informers,
    async stop() {
      informers.stop();
      closeClient();
      await t.stop();
    },
  };
}
