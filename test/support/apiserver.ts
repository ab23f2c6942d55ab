// A real API server for component tests, built as `kubesvc up` builds one: in-memory SQLite, fresh
// certificates in a temp dir, a free port, loopback endpoint addresses allowed, quiet logs, and an
// admin kubeconfig for HTTP clients and kubectl.
import { generateKeyPair } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend } from '../../src/storage/registry.js';
import type { Backend } from '../../src/storage/backend.js';
import { ensurePki } from '../../src/apiserver/pki.js';
import { ApiServer, type ApiServerOptions } from '../../src/apiserver/server.js';
import type { Pki } from '../../src/apiserver/pki.js';
import { writeKubeconfig } from '../../src/apiserver/kubeconfig.js';
import { allowLoopbackAddresses } from '../../src/api/validation/ip.js';
import { setQuiet } from '../../src/util/log.js';
import { request, type HttpResult } from '../e2e/harness.js';

export interface TestApiServer {
  api: ApiServer;
  backend: Backend;
  /** Scratch directory (certificates, kubeconfig.yaml); removed by stop(). */
  dir: string;
  kubeconfig: string;
  /** Another API server on the same datastore and certificates (e.g. to restart on the same port). */
  newApi(port: number): ApiServer;
  /** An HTTPS request to the API server as its admin, with the body's content type when given. */
  send(method: string, path: string, body?: string, contentType?: string): Promise<HttpResult>;
  /** Stops the API server, closes the datastore, removes the directory. */
  stop(): Promise<void>;
}

/** What a test (or bench) API server runs with: loopback, a free port, the test address plan. */
export function apiServerOptions(backend: Backend, pki: Pki, more: Partial<ApiServerOptions> = {}): ApiServerOptions {
  return {
    backend,
    host: '127.0.0.1',
    port: 0,
    tls: { cert: pki.servingCert, key: pki.servingKey, ca: pki.caCert },
    kubeletClient: { cert: pki.kubeletClientCert, key: pki.kubeletClientKey },
    serviceCIDR: '127.96.0.0/16',
    nodePortRange: { base: 30000, size: 2768 },
    advertiseAddress: '127.0.0.1',
    ...more,
  };
}

let serviceAccountKey: Promise<string> | undefined;

/** One RSA signing key per test process: generating one per server would cost up to a second each. */
function sharedServiceAccountKey(): Promise<string> {
  return (serviceAccountKey ??= promisify(generateKeyPair)('rsa', { modulusLength: 2048 }).then((k) =>
    k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  ));
}

export async function startTestApiServer(
  /** datastore: as `--datastore` (default in memory); 'sqlite' is state.db in the test's directory, on its own thread. */
  opts: { prefix?: string; datastore?: string; beforeStart?: (backend: Backend) => Promise<void> } = {},
): Promise<TestApiServer> {
  setQuiet(true);
  allowLoopbackAddresses(true);
  const dir = mkdtempSync(join(tmpdir(), opts.prefix ?? 'kubesvc-test-'));
  const pki = await ensurePki(dir, { sans: { dns: [], ips: [] } });
  const backend = openBackend(opts.datastore ?? 'sqlite://:memory:', { dataDir: dir });
  await backend.start();
  await opts.beforeStart?.(backend);
  const serviceAccountKey = await sharedServiceAccountKey();
  const newApi = (port: number) => new ApiServer(apiServerOptions(backend, pki, { port, serviceAccountKey }));
  const api = newApi(0);
  await api.start();
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  writeKubeconfig(kubeconfig, { server: api.url, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey });
  const t: TestApiServer = {
    api,
    backend,
    dir,
    kubeconfig,
    newApi,
    send: (method, path, body, contentType) => request({ kubeconfig, url: t.api.url }, method, path, body, contentType ? { contentType } : {}),
    async stop() {
      await t.api.stop();
      await backend.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}
