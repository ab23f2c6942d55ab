import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { ContainerLogWriter, containerLogPath, loggedOutputBytes, rotatedLogs } from '../../src/node/logs.js';
import { LogFile, readLogFile } from '../../src/node/log-reader.js';

async function text(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += c.toString();
  return out;
}

/** Runs `fn` with a temporary directory, removed afterwards. */
async function inTempDir(fn: (dir: string) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'logs-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A writer of run 0's log in `dir`, with the streams that feed it. */
function newWriter(dir: string): { path: string; out: PassThrough; err: PassThrough; w: ContainerLogWriter } {
  const path = containerLogPath(dir, 'uid', 'c', 0);
  const out = new PassThrough();
  const err = new PassThrough();
  return { path, out, err, w: new ContainerLogWriter(path, out, err) };
}

test('CRI format on disk; tail, timestamps, limitBytes; follow ends with the run', async () => {
  await inTempDir(async (dir) => {
    const { path, out, err, w } = newWriter(dir);
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
  });
});

test('long lines become 16 KiB P records; many reads in a row land whole and in order (record buffers are reused)', async () => {
  await inTempDir(async (dir) => {
    const { path, out, err, w } = newWriter(dir);
    const long = 'x'.repeat(40_000);
    out.write(long.slice(0, 30_000));
    out.write(`${long.slice(30_000)}\n`);
    // 300 writes of 60 numbered lines each, without waiting: writes queue while earlier ones are in flight.
    const sent: string[] = [];
    for (let i = 0; i < 300; i++) {
      const lines = Array.from({ length: 60 }, (_, j) => `line ${i}-${j} ${'y'.repeat((i * 7 + j) % 90)}`);
      sent.push(...lines);
      out.write(`${lines.join('\n')}\n`);
    }
    out.end();
    err.end();
    await w.closed();
    const records = readFileSync(path, 'latin1').split('\n').slice(0, -1);
    const tags = records.map((r) => r.split(' ')[2]);
    const texts = records.map((r) => r.split(' ').slice(3).join(' '));
    // 30,000 bytes, then 10,000 more and a newline: 16,384 (P) + 13,616 carried to the next read, which ends the line (F).
    assert.deepEqual(tags.slice(0, 2), ['P', 'F']);
    assert.equal(texts[0]!.length, 16_384);
    assert.equal(texts[0]! + texts[1]!, long);
    assert.deepEqual(texts.slice(2), sent);
    assert.ok(tags.slice(2).every((t) => t === 'F'));
    assert.deepEqual(loggedOutputBytes(path), { stdout: 40_001 + sent.reduce((n, l) => n + l.length + 1, 0), stderr: 0 });
  });
});

test('only the current and the previous run are kept', async () => {
  await inTempDir(async (dir) => {
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
  });
});

test('loggedOutputBytes: how much of each stream a log holds, byte for byte; a torn last line is cut off', async () => {
  await inTempDir(async (dir) => {
    const { path, out, err, w } = newWriter(dir);
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
  });
});

test('a log is rotated at its size limit as the kubelet rotates it; a run keeps its newest files; output bytes still add up', async () => {
  await inTempDir(async (dir) => {
    const path = containerLogPath(dir, 'uid', 'c', 0);
    const out = new PassThrough();
    const err = new PassThrough();
    const w = new ContainerLogWriter(path, out, err, { maxBytes: 2000, maxFiles: 3 });
    const lines = Array.from({ length: 200 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(20)}\n`);
    // Written in small bursts (each a read of the container's output), with stderr between.
    for (let i = 0; i < lines.length; i += 5) {
      out.write(lines.slice(i, i + 5).join(''));
      if (i % 50 === 0) err.write(`err ${i}\n`);
      await new Promise((r) => setImmediate(r));
    }
    out.end();
    err.end();
    await w.closed();
    const rotated = rotatedLogs(path);
    assert.equal(rotated.length, 2, 'the current file and two rotated ones');
    for (const f of rotated) assert.match(f, /\/0\.log\.\d{8}-\d{6}\.\d{3}$/);
    for (const f of [path, ...rotated]) assert.ok(statSync(f).size <= 2000, `${f}: ${statSync(f).size} bytes`);
    // The files, oldest first, hold the end of the output, in order, with nothing missing between them.
    const kept = [...rotated, path].map((f) => readFileSync(f, 'utf8')).join('').split('\n').filter(Boolean).map((l) => l.replace(/^\S+ \S+ F /, ''));
    const stdoutKept = kept.filter((l) => l.startsWith('line'));
    assert.deepEqual(stdoutKept, lines.slice(lines.length - stdoutKept.length).map((l) => l.slice(0, -1)));
    assert.ok(stdoutKept.length < lines.length, 'older files were removed');
    // kubectl logs reads the current file, as upstream's does.
    const current = await text(readLogFile(path));
    assert.equal(current, readFileSync(path, 'utf8').split('\n').filter(Boolean).map((l) => l.replace(/^\S+ \S+ F /, '') + '\n').join(''));
    // Every byte of both streams is counted, removed files included, so an adopted container resumes right after.
    assert.deepEqual(loggedOutputBytes(path), { stdout: lines.join('').length, stderr: [0, 50, 100, 150].map((i) => `err ${i}\n`).join('').length });
    // Two runs later the run's log goes, rotated files and all.
    for (const n of [1, 2]) {
      const o = new PassThrough();
      const e = new PassThrough();
      const w2 = new ContainerLogWriter(containerLogPath(dir, 'uid', 'c', n), o, e);
      o.end('x\n');
      e.end();
      await w2.closed();
    }
    assert.deepEqual(readdirSync(join(dir, 'pods', 'uid', 'c')).sort(), ['1.log', '2.log']);
  });
});

test('a follower reads on across rotations, every line once and in order', async () => {
  await inTempDir(async (dir) => {
    const path = containerLogPath(dir, 'uid', 'c', 0);
    const out = new PassThrough();
    const err = new PassThrough();
    const w = new ContainerLogWriter(path, out, err, { maxBytes: 1500, maxFiles: 5 });
    out.write('first\n');
    await new Promise((r) => setTimeout(r, 20));
    const followed = text(readLogFile(path, { follow: true }));
    const expected = ['first'];
    // About one rotation per follower poll (200 ms).
    for (let burst = 0; burst < 5; burst++) {
      const lines = Array.from({ length: 20 }, (_, i) => `burst ${burst} line ${i} ${'y'.repeat(30)}`);
      out.write(lines.map((l) => `${l}\n`).join(''));
      expected.push(...lines);
      await new Promise((r) => setTimeout(r, 300));
    }
    out.end('last\n');
    err.end();
    expected.push('last');
    await w.closed();
    assert.ok(rotatedLogs(path).length >= 3, `${rotatedLogs(path).length} rotations`);
    assert.deepEqual((await followed).split('\n').filter(Boolean), expected);
  });
});

test('a follower that sees a rotation reads the renamed file once more before the new one: writes still in flight to it are not missed', async () => {
  await inTempDir(async (dir) => {
    const path = containerLogPath(dir, 'uid', 'c', 0);
    mkdirSync(dirname(path), { recursive: true });
    const cri = (t: string) => `2026-12-07T22:00:00.000000000Z stdout F ${t}\n`;
    writeFileSync(path, cri('first'));
    const f = new LogFile(path);
    assert.equal(f.read().toString(), cri('first'));
    // The writer rotates: the old file renamed, a new one at the path.
    const renamed = `${path}.20261207-220000.000`;
    renameSync(path, renamed);
    writeFileSync(path, cri('new 1'));
    // The rotation is seen; a write queued for the old file lands in it only now.
    assert.equal(f.read().toString(), '');
    appendFileSync(renamed, cri('late old'));
    assert.equal(f.read().toString(), cri('late old') + cri('new 1'));
    appendFileSync(path, cri('new 2'));
    assert.equal(f.read().toString(), cri('new 2'));
    // When the writer has finished (last read), a rotation is followed at once.
    renameSync(path, `${path}.20261207-220001.000`);
    writeFileSync(path, cri('newest'));
    assert.equal(f.read(true).toString(), cri('newest'));
    f.close();
  });
});

test('an agent killed in the middle of a rotation leaves counts that match the files, whichever step it reached', async () => {
  await inTempDir(async (dir) => {
    const path = containerLogPath(dir, 'uid', 'c', 0);
    mkdirSync(dirname(path), { recursive: true });
    const rotatedName = '0.log.20261207-220000.000';
    const line = '2026-12-07T22:00:00.000000000Z stdout F hello\n';
    // 10 bytes of stdout in older rotated files; the current file (6 bytes: "hello\n") is being
    // rotated to rotatedName, named in the counts before the rename.
    writeFileSync(`${path}.rotated-bytes`, JSON.stringify({ stdout: 10, stderr: 0, latest: rotatedName }));
    // Killed before the rename: the bytes are still in the current file.
    writeFileSync(path, line);
    assert.deepEqual(loggedOutputBytes(path), { stdout: 16, stderr: 0 });
    // Killed after the rename: the bytes are in the rotated file, counted from what it holds.
    renameSync(path, join(dirname(path), rotatedName));
    assert.deepEqual(loggedOutputBytes(path), { stdout: 16, stderr: 0 });
    // ... with a line still in flight when the agent died: counted as far as it reached the file
    // (the adopted container's output is read again from there).
    appendFileSync(join(dirname(path), rotatedName), '2026-12-07T22:00:00.000000000Z stdout F wor');
    assert.deepEqual(loggedOutputBytes(path), { stdout: 16, stderr: 0 });
    // The next agent's first lines went to a new current file.
    writeFileSync(path, line);
    assert.deepEqual(loggedOutputBytes(path), { stdout: 22, stderr: 0 });
    // A name that is not a rotated file of this run counts nothing.
    for (const latest of [`../c/${rotatedName}`, '1.log.20261207-220000.000']) {
      writeFileSync(`${path}.rotated-bytes`, JSON.stringify({ stdout: 10, stderr: 0, latest }));
      assert.deepEqual(loggedOutputBytes(path), { stdout: 16, stderr: 0 }, latest);
    }
  });
});

test('rotations name the newest rotated file, and the counts match the output, across a second writer of the run', async () => {
  await inTempDir(async (dir) => {
    const path = containerLogPath(dir, 'uid', 'c', 0);
    const lines = Array.from({ length: 80 }, (_, i) => `line ${String(i).padStart(2, '0')}\n`);
    // Two writers one after the other on the same run, as an agent and the one that adopts it.
    for (const part of [lines.slice(0, 40), lines.slice(40)]) {
      const out = new PassThrough();
      const err = new PassThrough();
      const w = new ContainerLogWriter(path, out, err, { maxBytes: 400, maxFiles: 3 });
      for (const l of part) {
        out.write(l);
        await new Promise((r) => setImmediate(r));
      }
      out.end();
      err.end();
      await w.closed();
    }
    const counts = JSON.parse(readFileSync(`${path}.rotated-bytes`, 'utf8')) as { latest?: string };
    const rotated = rotatedLogs(path);
    assert.equal(join(dirname(path), counts.latest ?? ''), rotated[rotated.length - 1]);
    assert.deepEqual(loggedOutputBytes(path), { stdout: lines.join('').length, stderr: 0 });
  });
});
