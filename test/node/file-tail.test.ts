// FileTail, what the node agent reads a container's output with: every byte appended to the file,
// in order and unchanged, while the writer keeps writing between reads (its read buffer is reused,
// so what it hands on must be copies), then the end once the writer is finished.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileTail } from '../../src/node/runtime/file-tail.js';

for (const mode of ['data', 'deliverTo'] as const) {
test(`FileTail hands on every appended byte unchanged, from its offset, and ends after finish() (${mode})`, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'file-tail-'));
  try {
    const path = join(dir, 'stdout');
    writeFileSync(path, 'skipped|');
    const tail = new FileTail(path, 'skipped|'.length);
    const chunks: Buffer[] = [];
    if (mode === 'data') tail.on('data', (c: Buffer) => chunks.push(c));
    else {
      // Views valid during the call (the reader copies what it keeps); nothing is pushed.
      tail.deliverTo((view) => chunks.push(Buffer.from(view)));
      tail.on('data', () => assert.fail('a tail that delivers views pushes no data'));
    }
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
}

/** Whether this machine's fallocate can punch holes in a file in `dir`. */
function canPunch(dir: string): boolean {
  const probe = join(dir, 'probe');
  writeFileSync(probe, Buffer.alloc(65536, 1));
  return spawnSync('fallocate', ['--punch-hole', '--offset', '0', '--length', '4096', probe]).status === 0;
}

test('what a tail has read goes back to the filesystem: the output file keeps its size, not its blocks', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'file-tail-'));
  try {
    if (!canPunch(dir)) return t.skip('fallocate --punch-hole is not available here (util-linux, a filesystem with holes)');
    const path = join(dir, 'stdout');
    writeFileSync(path, '');
    const tail = new FileTail(path);
    let read = 0;
    let last = 0;
    tail.on('data', (c: Buffer) => {
      read += c.length;
      last = c[c.length - 1]!;
    });
    // 72 MiB in 1 MiB writes, each ending in its own byte value.
    const total = 72 * 1024 * 1024;
    for (let i = 0; i < 72; i++) {
      appendFileSync(path, Buffer.alloc(1024 * 1024, 1 + (i % 250)));
      if (i % 8 === 7) await new Promise((r) => setTimeout(r, 5));
    }
    const t0 = Date.now();
    while (read < total && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 10));
    assert.equal(read, total);
    assert.equal(last, 1 + (71 % 250));
    // The read position less the margin, every 32 MiB: at least 32 MiB given back.
    let allocated = statSync(path).blocks * 512;
    for (const t1 = Date.now(); allocated > total - 32 * 1024 * 1024 && Date.now() - t1 < 5_000; allocated = statSync(path).blocks * 512) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(statSync(path).size, total);
    assert.ok(allocated <= total - 32 * 1024 * 1024, `${(allocated / 1048576).toFixed(1)} MiB still allocated of ${total / 1048576}`);
    // What was not read yet is intact: the last 8 MiB (the margin) are still there.
    const tailBytes = readFileSync(path).subarray(total - 1024 * 1024);
    assert.ok(tailBytes.every((b) => b === 1 + (71 % 250)));
    tail.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a tail keeps one read buffer while output flows, and holds none once the container has been quiet for a poll', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'file-tail-'));
  try {
    const path = join(dir, 'stdout');
    writeFileSync(path, '');
    const tail = new FileTail(path);
    t.after(() => tail.destroy());
    const buffers = new Set<ArrayBufferLike>();
    let deliveries = 0;
    tail.deliverTo((view) => {
      deliveries++;
      buffers.add(view.buffer);
    });
    tail.resume(); // reads start when the stream flows, as the log writer's 'data' listener makes it
    // A line every 10 ms for 300 ms: the tail catches up between writes (an access log's pace).
    for (let i = 0; i < 30; i++) {
      appendFileSync(path, `line ${i}\n`);
      await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 30));
    assert.ok(deliveries >= 10, `${deliveries} reads`);
    // A fresh 64 KiB per catch-up made a chatty container cost the agent a full GC every second or two.
    assert.equal(buffers.size, 1, `${buffers.size} read buffers for ${deliveries} reads`);
    // Quiet: the next poll (1 s) finds nothing and the buffer goes.
    const held = () => (tail as unknown as { buf?: Buffer }).buf;
    const t0 = Date.now();
    while (held() !== undefined && Date.now() - t0 < 3_000) await new Promise((r) => setTimeout(r, 50));
    assert.equal(held(), undefined, 'an idle tail holds no read buffer');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
