// A real API server for client tests: in-memory SQLite, fresh certificates in a temp dir, a
// free port, and a kubeconfig for the HTTP client. Before the server starts, a few writes
// outside the registry move the store's revision on, so the watch cache's window starts above
// revision 1 and "resourceVersion 1" is a genuinely expired one (410) for every resource.
import type { ApiServer } from '../../src/apiserver/server.js';
import { startTestApiServer } from '../support/apiserver.js';

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
  const t = await startTestApiServer({
    prefix: 'kubesvc-client-',
    beforeStart: async (backend) => {
      for (let i = 0; i < 5; i++) await backend.create(`/kubesvc-test/padding/${i}`, '{}');
    },
  });
  const { api, dir, kubeconfig } = t;
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
      cluster.api = t.newApi(port);
      t.api = cluster.api;
      await cluster.api.start();
    },
    async stop() {
      await t.stop();
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
