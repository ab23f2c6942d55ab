// A real API server (in-memory SQLite, fresh certificates, a free port) with the in-process
// client and informers, and a NodeAgent on top, for the agent's integration tests.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureKubeletServingCertificate } from '../../src/apiserver/pki.js';
import type { ApiServer } from '../../src/apiserver/server.js';
import { LocalClient } from '../../src/apiserver/local-client.js';
import { HttpClient } from '../../src/client/http-client.js';
import { InformerFactoryImpl } from '../../src/client/informer.js';
import { NodeAgent, type NodeAgentOptions } from '../../src/node/agent.js';
import type { Client } from '../../src/client/client.js';
import { startTestApiServer } from '../support/apiserver.js';

export interface AgentCluster {
  api: ApiServer;
  client: Client;
  agent: NodeAgent;
  dir: string;
  kubeconfig: string;
  /** Starts another agent on the same data dir (after `agent.stop()`), as a restart would. */
  restartAgent(): Promise<NodeAgent>;
  stop(): Promise<void>;
}

/** `http`: the agent talks to the API server over HTTPS (as a separate node process would). */
export async function startAgentCluster(over: Partial<NodeAgentOptions> = {}, via: 'local' | 'http' = 'local'): Promise<AgentCluster> {
  const t = await startTestApiServer({ prefix: 'kubesvc-node-' });
  const { api, dir, kubeconfig } = t;
  const client: Client =
    via === 'http'
      ? HttpClient.fromKubeconfig(kubeconfig)
      : new LocalClient(api);
  const serving = await ensureKubeletServingCertificate(dir, join(dir, 'node-1'), 'node-1', { dns: ['node-1'], ips: ['127.0.0.1'] });
  const opts: NodeAgentOptions = {
    nodeName: 'node-1',
    nodeIP: '127.0.0.1',
    podCIDR: '127.244.1.0/24',
    dataDir: join(dir, 'node-1'),
    clusterDNS: '127.96.0.10',
    clusterDomain: 'cluster.local',
    backoff: { initialMs: 300, maxMs: 2000 },
    probeSecondMs: 100,
    shutdownGraceMs: 2000,
    // pods/log, exec and port-forward reach the agent's kubelet API as in `kubesvc up`.
    kubeletServer: { cert: serving.certPem, key: serving.keyPem, clientCA: readFileSync(join(dir, 'pki', 'ca.crt'), 'utf8'), port: 0 },
    ...over,
  };
  let informers = new InformerFactoryImpl(client);
  const start = (agent: NodeAgent) => agent.start();
  const c: AgentCluster = {
    api,
    client,
    agent: new NodeAgent(client, informers, opts),
    dir,
    kubeconfig,
    async restartAgent() {
      informers.stop();
      informers = new InformerFactoryImpl(client);
      c.agent = new NodeAgent(client, informers, opts);
      await start(c.agent);
      return c.agent;
    },
    async stop() {
      await c.agent.stop();
      informers.stop();
      await t.stop();
    },
  };
  await start(c.agent);
  return c;
}

/** Polls `check` until it returns something other than false/undefined (or stops throwing). */
export async function eventually<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const r = await check();
      if (r !== false && r !== undefined && r !== null) return r as Exclude<T, false | undefined | null>;
      last = new Error(`${what}: still ${String(r)}`);
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw last instanceof Error ? last : new Error(String(last));
    await new Promise((r) => setTimeout(r, 50));
  }
}

export { processAlive as alive } from '../../src/util/process-alive.js';
