// A real API server for client tests: in-memory SQLite, fresh certificates in a temp dir, a
// free port, and a kubeconfig for the HTTP client. Before the server starts, a few writes
// outside the registry move the store's revision on, so the watch cache's window starts above
// revision 1 and "resourceVersion 1" is a genuinely expired one (410) for every resource.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend } from '../../src/storage/registry.js';
import type { Backend } from '../../src/storage/backend.js';
import { ensurePki } from '../../src/apiserver/pki.js';
import { ApiServer } from '../../src/apiserver/server.js';
import { writeKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { allowLoopbackAddresses } from '../../src/api/validation/ip.js';
import { setQuiet } from '../../src/util/log.js';

export interface TestCluster {
  api: ApiServer;
  dir: string;
  kubeconfig: string;
  /** An outage: stopApi() stops the API server, startApi() starts a new one on the same port and datastore. */
  stopApi(): Promise<void>;
  startApi(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestCluster(): Promise<TestCluster> {
  setQuiet(true);
  allowLoopbackAddresses(true);
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-client-'));
  const pki = await ensurePki(dir, { sans: { dns: [], ips: [] } });
  const backend: Backend = openBackend('sqlite://:memory:', { dataDir: dir });
  await backend.start();
  for (let i = 0; i < 5; i++) await backend.create(`/kubesvc-test/padding/${i}`, '{}');
  const newApi = (port: number) =>
    new ApiServer({
      backend,
      host: '127.0.0.1',
      port,
      tls: { cert: pki.servingCert, key: pki.servingKey, ca: pki.caCert },
      serviceCIDR: '127.96.0.0/16',
      nodePortRange: { base: 30000, size: 2768 },
      advertiseAddress: '127.0.0.1',
    });
  const api = newApi(0);
  await api.start();
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  writeKubeconfig(kubeconfig, { server: api.url, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey });
  let port = api.port;
  const cluster: TestCluster = {
    api,
    dir,
    kubeconfig,
    async stopApi() {
      port = cluster.api.port;
      await cluster.api.stop();
    },
    async startApi() {
      cluster.api = newApi(port);
      await cluster.api.start();
    },
    async stop() {
      await cluster.api.stop();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cluster;
}

/** Polls `check` until it stops throwing (or returns true), failing after `timeoutMs`. */
export async function eventually(check: () => unknown, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const r = await check();
      if (r !== false) return;
      last = new Error(`${what} still false`);
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error(String(last));
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
