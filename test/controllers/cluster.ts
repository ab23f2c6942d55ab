// A real API server for controller integration tests, built as `kubesvc up` builds one (in-memory
// SQLite, fresh PKI in a temp dir, port 0, loopback addresses allowed), with the in-process client,
// shared informers and the controllers started on them. No node agent runs: tests set pod status
// themselves where they need ready pods.
import type { ApiServer } from '../../src/apiserver/server.js';
import { LocalClient } from '../../src/apiserver/local-client.js';
import { InformerFactoryImpl } from '../../src/client/informer.js';
import { startControllers, type ControllerManagerOptions } from '../../src/controllers/manager.js';
import type { Client } from '../../src/client/client.js';
import { HttpClient } from '../../src/client/http-client.js';
import { R } from '../../src/client/resources.js';
import type { Pod } from '../../src/api/core.js';
import { startTestApiServer } from '../support/apiserver.js';

export interface ControllerCluster {
  api: ApiServer;
  client: Client;
  /** Scratch directory holding kubeconfig.yaml (admin client certificate) for kubectl. */
  dir: string;
  kubeconfig: string;
  stop(): Promise<void>;
}

/** Which Client the controllers use: in-process (as `kubesvc up`) or HTTPS (as a separate process). */
export type Transport = 'local' | 'http';

export async function startControllerCluster(opts: ControllerManagerOptions = {}, transport: Transport = 'local'): Promise<ControllerCluster> {
  const t = await startTestApiServer({ prefix: 'kubesvc-controllers-' });
  const { api, dir, kubeconfig } = t;
  const client: Client =
    transport === 'http'
      ? HttpClient.fromKubeconfig(kubeconfig)
      : new LocalClient(api);
  const informers = new InformerFactoryImpl(client);
  const mgr = startControllers(client, informers, { workers: 2, ...opts });
  return {
    api,
    client,
    dir,
    kubeconfig,
    async stop() {
      mgr.stop();
      informers.stop();
      if (client instanceof HttpClient) client.close();
      await t.stop();
    },
  };
}

/** Polls until `check` stops throwing and does not return false. */
export async function eventually(check: () => unknown, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const r = await check();
      if (r !== false) return;
      last = new Error('condition still false');
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error(String(last));
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What a node agent would post: Running, Ready, with a pod IP (retried: the scheduler may be writing the same status). */
export async function makePodReady(client: Client, p: Pod, ip = '127.244.0.10'): Promise<void> {
  const now = new Date(Date.now() - 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  await retryOnConflict(async () => {
    const fresh = await client.get<Pod>(R.pods, p.metadata.namespace, p.metadata.name ?? '');
    const kept = (fresh.status?.conditions ?? []).filter((c) => c.type === 'PodScheduled');
    fresh.status = {
      ...fresh.status,
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [
        ...kept,
        { type: 'Ready', status: 'True', lastTransitionTime: now, lastProbeTime: null },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: now, lastProbeTime: null },
      ],
    };
    await client.update(R.pods, p.metadata.namespace, fresh, { subresource: 'status' });
  });
}

/**
 * Retries a write that lost a race with a controller. (The API server currently pins a patch to the
 * resourceVersion it read, so even patches without a resourceVersion can fail with 409 while
 * controllers write the same object.)
 */
export async function retryOnConflict<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if ((e as { code?: number }).code !== 409 || i >= 20) throw e;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
