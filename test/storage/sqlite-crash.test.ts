// A write is acknowledged only once it is committed to state.db: a kubesvc killed with SIGKILL
// (no shutdown, no flush) loses none of the writes it had answered.
import { after, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBackend } from '../../src/storage/registry.js';

const root = mkdtempSync(join(tmpdir(), 'kubesvc-sqlite-crash-'));
after(() => rmSync(root, { recursive: true, force: true }));

it('every write acknowledged before SIGKILL is there after restart, at its revision', async () => {
  const writer = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'crash-writer.js');
  const child = spawn(process.execPath, [writer, root], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acked = new Map<string, number>();
  let buffered = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const [key, rev] = line.split(' ');
        acked.set(key!, Number(rev));
      }
      if (acked.size >= 2000 && child.pid !== undefined && child.exitCode === null) {
        process.kill(child.pid, 'SIGKILL');
        resolve();
      }
    });
    child.once('exit', () => resolve());
  });
  await exited;
  assert.ok(acked.size >= 2000, `child acknowledged only ${acked.size} writes before exiting`);

  const db = openBackend('sqlite', { dataDir: root });
  await db.start();
  try {
    const res = await db.range('/registry/crash/');
    const stored = new Map(res.kvs.map((kv) => [kv.key, kv.modRevision]));
    for (const [key, rev] of acked) assert.equal(stored.get(key), rev, `${key} acknowledged at ${rev}`);
    assert.ok((await db.currentRevision()) >= Math.max(...acked.values()));
  } finally {
    await db.close();
  }
});
