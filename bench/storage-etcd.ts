// etcd backend throughput against a throwaway etcd-server (Debian's, on free loopback ports),
// for comparison with storage-sqlite. Run `npx tsc -p . && node dist/bench/storage-etcd.js`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend } from '../src/storage/registry.js';
import { EtcdServer, findEtcd } from '../test/storage/etcd-server.js';
import { benchStorage } from './storage-common.js';

const binary = findEtcd();
if (!binary) {
  console.log('etcd is not installed (apt-get install etcd-server); nothing to measure');
} else {
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-bench-etcd-'));
  const server = await EtcdServer.start(binary, join(dir, 'etcd'));
  const db = openBackend(`etcd://${server.endpoint}`, { dataDir: dir });
  try {
    await db.start();
    await benchStorage(db);
  } finally {
    await db.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
