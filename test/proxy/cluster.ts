// A real API server for the proxy's integration test, built as `kubesvc up` builds one
// (in-memory SQLite, fresh certificates in a temp dir, a free port), with the in-process
// client and informers the proxy gets from `up`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend } from '../../src/storage/registry.js';
import { ensurePki } from '../../src/apiserver/pki.js';
import { ApiServer } from '../../src/apiserver/server.js';
import { LocalClient } from '../../src/apiserver/local-client.js';
import { writeKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { HttpClient } from '../../src/client/http-client.js';
import { InformerFactoryImpl } from '../../src/client/informer.js';
import { allowLoopbackAddresses } from '../../src/api/validation/ip.js';
import { setQuiet } from '../../src/util/log.js';
import type { Client } from '../../src/client/client.js';

export interface ProxyTestCluster {
  api: ApiServer;
  client: Client;
  informers: InformerFactoryImpl;
  stop(): Promise<void>;
}

/** `local`: the in-process client `kubesvc up` wires; `http`: a separate process's client, from the kubeconfig. */
export async function startProxyTestCluster(clientKind: 'local' | 'http' = 'local'): Promise<ProxyTestCluster> {
  setQuiet(true);
  allowLoopbackAddresses(true);
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-proxy-'));
  const pki = await ensurePki(dir, { sans: { dns: [], ips: [] } });
  const backend = openBackend('sqlite://:memory:', { dataDir: dir });
  await backend.start();
  const api = new ApiServer({
    backend,
    host: '127.0.0.1',
    port: 0,
    tls: { cert: pki.servingCert, key: pki.servingKey, ca: pki.caCert },
    serviceCIDR: '127.96.0.0/16',
    nodePortRange: { base: 30000, size: 2768 },
    advertiseAddress: '127.0.0.1',
  });
  await api.start();
  let client: Client;
  let closeClient = () => {};
  if (clientKind === 'http') {
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    writeKubeconfig(kubeconfig, { server: api.url, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey });
    const http = HttpClient.fromKubeconfig(kubeconfig);
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
      await api.stop();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
