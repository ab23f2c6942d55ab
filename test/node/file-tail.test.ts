// FileTail, what the node agent reads a container's output with: every byte appended to the file,
// in order and unchanged, while the writer keeps writing between reads (its read buffer is reused,
// so what it hands on must be copies), then the end once the writer is finished.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTail } from '../../src/node/runtime/file-tail.js';

test('FileTail hands on every appended byte unchanged, from its offset, and ends after finish()', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'file-tail-'));
  try {
    const path = join(dir, 'stdout');
    writeFileSync(path, 'skipped|');
    const tail = new FileTail(path, 'skipped|'.length);
    const chunks: Buffer[] = [];
    tail.on('data', (c: Buffer) => chunks.push(c));
    const ended = new Promise<void>((r) => tail.once('end', () => r()));
    const expected: Buffer[] = [];
    // Bursts of lines of distinct bytes, some longer than one read (64 KiB), with pauses between
    // them so the tail catches up, waits, and reads into the same buffer again.
    for (let i = 0; i < 60; i++) {
      const line = Buffer.alloc(i % 10 === 9 ? 70_000 : 50 + i, 97 + (i % 26));
      line[line.length - 1] = 0x0a;
      appendFileSync(path, line);
      expected.push(line);
      if (i % 5 === 4) await new Promise((r) => setTimeout(r, 15));
    }
    await new Promise((r) => setTimeout(r, 50));
    // Caught up and waiting: a new write arrives within milliseconds (inotify), not at the 1 s poll.
    for (let i = 0; i < 5; i++) {
      const before = Buffer.concat(chunks).length;
      const t0 = performance.now();
      const line = Buffer.from(`ping ${i}\n`);
      appendFileSync(path, line);
      expected.push(line);
      while (Buffer.concat(chunks).length < before + line.length) {
        assert.ok(performance.now() - t0 < 500, `write ${i} not read after ${(performance.now() - t0).toFixed(0)} ms`);
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    tail.finish();
    await ended;
    const got = Buffer.concat(chunks);
    const want = Buffer.concat(expected);
    assert.equal(got.length, want.length);
    assert.ok(got.equals(want), 'the bytes arrive unchanged and in order');
    assert.equal(tail.offset, 'skipped|'.length + want.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
