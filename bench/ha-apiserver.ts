// Service creates/s with storage-backed allocation (IPAddress objects, the NodePort RangeAllocation):
// one API server on SQLite (as `kubesvc up`) against two API servers sharing one etcd (as two
// `kubesvc server`s), clients split evenly between the two. Each run creates N NodePort Services
// (a ClusterIP and a NodePort each) over HTTPS with C concurrent keep-alive clients; one server on
// the same etcd runs first, to tell etcd's cost from that of two servers racing.
// Run: npm run build && node dist/bench/ha-apiserver.js [--services 1000] [--clients 16]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend } from '../src/storage/registry.js';
import type { Backend } from '../src/storage/backend.js';
import { ensurePki, type Pki } from '../src/apiserver/pki.js';
import { ApiServer } from '../src/apiserver/server.js';
import { writeKubeconfig } from '../src/apiserver/kubeconfig.js';
import { allowLoopbackAddresses } from '../src/api/validation/ip.js';
import { setQuiet } from '../src/util/log.js';
import { EtcdServer, findEtcd } from '../test/storage/etcd-server.js';
import { apiServerOptions } from '../test/support/apiserver.js';
import { connect, type Conn } from './https-call.js';
import { nodePortCreates } from './service-creates.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

const total = arg('services', 1000);
const clients = arg('clients', 16);

async function server(dir: string, pki: Pki, backend: Backend, name: string): Promise<{ api: ApiServer; conn: Conn }> {
  const api = new ApiServer(apiServerOptions(backend, pki, { advertiseAddress: name }));
  await api.start();
  const kubeconfig = join(dir, `kubeconfig-${name}.yaml`);
  writeKubeconfig(kubeconfig, { server: api.url, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey });
  return { api, conn: connect(api.url, kubeconfig, clients) };
}

async function main(): Promise<void> {
  setQuiet(true);
  allowLoopbackAddresses(true);
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-bench-ha-'));
  const pki = await ensurePki(dir, { sans: { dns: [], ips: [] } });
  try {
    const sqlite = openBackend('sqlite', { dataDir: dir });
    await sqlite.start();
    const one = await server(dir, pki, sqlite, '127.0.0.1');
    await nodePortCreates('one API server, SQLite', [one.conn], { total, clients });
    await one.api.stop();
    await sqlite.close();

    const binary = findEtcd();
    if (!binary) {
      console.log('etcd is not installed: the two-server run is skipped');
      return;
    }
    const etcd = await EtcdServer.start(binary, join(dir, 'etcd'));
    try {
      // Its Services stay: the two-server run uses other names and allocates around them.
      const alone = openBackend(`etcd://${etcd.endpoint}`, { dataDir: dir });
      await alone.start();
      const single = await server(dir, pki, alone, '127.0.0.3');
      await nodePortCreates('one API server, etcd', [single.conn], { total, clients, prefix: 'solo' });
      await single.api.stop();
      await alone.close();
      const backends = [openBackend(`etcd://${etcd.endpoint}`, { dataDir: dir }), openBackend(`etcd://${etcd.endpoint}`, { dataDir: dir })];
      for (const b of backends) await b.start();
      const a = await server(dir, pki, backends[0]!, '127.0.0.1');
      const b = await server(dir, pki, backends[1]!, '127.0.0.2');
      await nodePortCreates('two API servers, one etcd', [a.conn, b.conn], { total, clients });
      await a.api.stop();
      await b.api.stop();
      for (const be of backends) await be.close();
    } finally {
      await etcd.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
