// The shared backend suite on etcd: every store is a fresh etcd-server process on free loopback
// ports with a temporary data dir; all are stopped by PID and their dirs removed at the end.
// Skipped (with the reason) only when the etcd binary is not installed.
import { after, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend } from '../../src/storage/registry.js';
import { runBackendSuite } from './backend-suite.js';
import { EtcdServer, findEtcd } from './etcd-server.js';

const binary = findEtcd();

if (!binary) {
  describe('storage backend: etcd', () => {
    it('needs the etcd binary (Debian: apt-get install etcd-server)', (t) => {
      t.skip('etcd is not installed; install etcd-server to run the etcd backend suite');
    });
  });
} else {
  const root = mkdtempSync(join(tmpdir(), 'kubesvc-etcd-'));
  const servers: EtcdServer[] = [];
  after(async () => {
    for (const s of servers) await s.stop();
    rmSync(root, { recursive: true, force: true });
  });

  let n = 0;
  runBackendSuite('etcd', async () => {
    const server = await EtcdServer.start(binary, join(root, `etcd-${n++}`));
    servers.push(server);
    return {
      backend: openBackend(`etcd://${server.endpoint}`, { dataDir: root }),
      // Reopening means restarting etcd itself on the same data dir: only what etcd persisted survives.
      reopen: async () => {
        await server.restart();
        return openBackend(`etcd://${server.endpoint}`, { dataDir: root });
      },
    };
  });
}
