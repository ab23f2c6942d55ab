// commandExecutor: exit codes and output of a real process, and the timeout that keeps a hung
// tool from stalling a node's proxy forever.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandExecutor, netnsExecutor, timeoutExitCode } from '../../src/proxy/executor.js';
import { sleep } from './fixtures.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('commandExecutor: stdin in, stdout, stderr and the exit code out', async () => {
  const r = await commandExecutor().run(['sh', '-c', 'cat; echo oops >&2; exit 3'], 'hello');
  assert.deepEqual(r, { code: 3, stdout: 'hello', stderr: 'oops\n' });
});

test('commandExecutor: a command past its timeout is killed and reported as failed (exit 124) with a clear stderr', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-exec-'));
  try {
    const pidFile = join(dir, 'pid');
    const t0 = Date.now();
    // `exec` keeps the pid: the one that must be killed is the process that hangs.
    const r = await commandExecutor([], { timeoutMs: 200 }).run(['sh', '-c', `echo $$ > ${pidFile}; echo partial >&2; exec sleep 30`]);
    const took = Date.now() - t0;
    assert.equal(r.code, timeoutExitCode);
    assert.match(r.stderr, /^partial\n/);
    assert.match(r.stderr, /sh -c .*: killed after 200 ms without finishing \(command timeout\)$/);
    assert.ok(took >= 190 && took < 5000, `returned after ${took} ms`);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    for (let i = 0; i < 50 && alive(pid); i++) await sleep(20);
    assert.equal(alive(pid), false, 'the hung process was killed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('commandExecutor: a command that finishes in time is unaffected; timeoutMs 0 means no limit', async () => {
  const r = await commandExecutor([], { timeoutMs: 5000 }).run(['sh', '-c', 'sleep 0.1; echo done']);
  assert.deepEqual(r, { code: 0, stdout: 'done\n', stderr: '' });
  const u = await commandExecutor([], { timeoutMs: 0 }).run(['sh', '-c', 'sleep 0.1; echo done']);
  assert.equal(u.code, 0);
});

test('netnsExecutor passes the timeout on; a missing program still rejects', async () => {
  const r = await netnsExecutor(undefined, { timeoutMs: 100 }).run(['sleep', '5']);
  assert.equal(r.code, timeoutExitCode);
  await assert.rejects(commandExecutor().run(['kubesvc-no-such-tool']), /ENOENT/);
});
