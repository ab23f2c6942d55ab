// The shared backend suite on etcd: every store is a fresh etcd-server process on free loopback
// ports with a temporary data dir; all are stopped by PID and their dirs removed at the end.
// Skipped (with the reason) only when the etcd binary is not installed.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
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

if (binary) {
  describe('the test etcd', () => {
    it('starts on fresh ports when one it was given is taken before etcd binds it (a race with tests beside it)', async () => {
      const { createServer } = await import('node:net');
      const { freePort } = await import('./etcd-server.js');
      // A port held by someone else, handed out first: etcd fails to bind it, and the helper tries again.
      const squatter = createServer();
      await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', () => r()));
      const taken = (squatter.address() as { port: number }).port;
      const handed: number[] = [];
      const pick = async () => {
        const p = handed.length === 0 ? taken : await freePort();
        handed.push(p);
        return p;
      };
      const dir = mkdtempSync(join(tmpdir(), 'kubesvc-etcd-race-'));
      try {
        const server = await EtcdServer.start(binary, join(dir, 'etcd'), pick);
        try {
          assert.ok(handed.length >= 4, `ports handed out: ${handed.join(', ')}`);
          assert.notEqual(server.clientPort, taken);
          const r = await fetch(`http://${server.endpoint}/version`);
          assert.equal(r.status, 200);
        } finally {
          await server.stop();
        }
      } finally {
        squatter.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
