import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ContainerLogWriter, containerLogPath, loggedOutputBytes } from '../../src/node/logs.js';
import { readLogFile } from '../../src/node/log-reader.js';

async function text(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += c.toString();
  return out;
}

test('CRI format on disk; tail, timestamps, limitBytes; follow ends with the run', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logs-'));
  try {
    const path = containerLogPath(dir, 'uid', 'c', 0);
    const out = new PassThrough();
    const err = new PassThrough();
    const w = new ContainerLogWriter(path, out, err);
    out.write('one\ntwo\n');
    err.write('oops\n');
    out.write('thr');
    await new Promise((r) => setTimeout(r, 20));
    const follower = readLogFile(path, { follow: true });
    const followed = text(follower);
    out.write('ee\n');
    await new Promise((r) => setTimeout(r, 300));
    out.end('four');
    err.end();
    await w.closed();
    assert.equal(await followed, 'one\ntwo\noops\nthree\nfour');
    const raw = readFileSync(path, 'utf8').split('\n');
    assert.match(raw[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z stdout F one$/);
    assert.match(raw[2]!, / stderr F oops$/);
    assert.match(raw.at(-2)!, / stdout P four$/);
    assert.equal(await text(readLogFile(path, { tailLines: 2 })), 'three\nfour');
    assert.match(await text(readLogFile(path, { tailLines: 1, timestamps: true })), /^\d{4}-\S+Z four$/);
    assert.equal(await text(readLogFile(path, { limitBytes: 5 })), 'one\nt');
    assert.equal(await text(readLogFile(path, { sinceSeconds: 3600 })), 'one\ntwo\noops\nthree\nfour');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('only the current and the previous run are kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logs-'));
  try {
    for (let n = 0; n < 3; n++) {
      const out = new PassThrough();
      const err = new PassThrough();
      const w = new ContainerLogWriter(containerLogPath(dir, 'uid', 'c', n), out, err);
      out.end(`run ${n}\n`);
      err.end();
      await w.closed();
    }
    assert.equal(existsSync(containerLogPath(dir, 'uid', 'c', 0)), false);
    assert.equal(existsSync(containerLogPath(dir, 'uid', 'c', 1)), true);
    assert.equal(await text(readLogFile(containerLogPath(dir, 'uid', 'c', 2))), 'run 2\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loggedOutputBytes: how much of each stream a log holds, byte for byte; a torn last line is cut off', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'logs-'));
  try {
    const path = containerLogPath(dir, 'uid', 'c', 0);
    const out = new PassThrough();
    const err = new PassThrough();
    const w = new ContainerLogWriter(path, out, err);
    // Multi-byte and invalid UTF-8, an empty line, a line longer than 16 KiB, and no final newline.
    const stdout = Buffer.concat([Buffer.from('héllo\n\n'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from('x'.repeat(20000) + '\n'), Buffer.from('tail')]);
    const stderr = Buffer.from('oops\n');
    out.end(stdout);
    err.end(stderr);
    await w.closed();
    assert.deepEqual(loggedOutputBytes(path), { stdout: stdout.length, stderr: stderr.length });
    // The agent was killed in the middle of writing a line: that line is read again from the output.
    const before = readFileSync(path);
    appendFileSync(path, '2026-12-05T16:00:00Z stdout F half a li');
    assert.deepEqual(loggedOutputBytes(path), { stdout: stdout.length, stderr: stderr.length });
    assert.deepEqual(readFileSync(path), before);
    assert.deepEqual(loggedOutputBytes(join(dir, 'missing.log')), { stdout: 0, stderr: 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
