// The pod network's exec prefix on each way a pod's process starts: containers (ProcessRuntime),
// exec probes and exec lifecycle hooks. `/usr/bin/env KUBESVC_TEST_PREFIX=1` stands in for
// `ip netns exec <ns>`: like it, it execs the program in place, and the variable proves it ran.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessRuntime } from '../../src/node/runtime/process.js';
import { lookPath, prefixed } from '../../src/node/runtime/exec-prefix.js';
import { StartError, type ContainerConfig } from '../../src/node/runtime/types.js';
import { execProbe } from '../../src/node/prober/exec.js';
import { runProbe } from '../../src/node/prober/prober.js';
import { runHook } from '../../src/node/lifecycle.js';

const node = process.execPath;
const prefix = ['/usr/bin/env', 'KUBESVC_TEST_PREFIX=1'];
const PATH = process.env.PATH ?? '/usr/bin:/bin';

function config(over: Partial<ContainerConfig>): ContainerConfig {
  return {
    id: Math.random().toString(16).slice(2),
    podUID: 'uid-1',
    podName: 'p',
    namespace: 'default',
    containerName: 'c',
    attempt: 0,
    image: 'kubesvc.io/host',
    env: { PATH },
    ...over,
  };
}

async function readAll(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += c.toString();
  return out;
}

async function withRuntime(fn: (rt: ProcessRuntime, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'prefix-'));
  const rt = new ProcessRuntime(dir);
  await rt.init();
  try {
    await fn(rt, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('prefixed: the prefix goes first, the program and its args after it', () => {
  assert.deepEqual(prefixed([], 'a', ['b']), { file: 'a', args: ['b'] });
  assert.deepEqual(prefixed(undefined, 'a', ['b']), { file: 'a', args: ['b'] });
  assert.deepEqual(prefixed(['ip', 'netns', 'exec', 'ns1'], 'a', ['b', 'c']), { file: 'ip', args: ['netns', 'exec', 'ns1', 'a', 'b', 'c'] });
});

test('lookPath: PATH search, relative to the working dir, missing and not executable', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lookpath-'));
  try {
    writeFileSync(join(dir, 'plain'), 'x');
    writeFileSync(join(dir, 'tool'), '#!/bin/sh\n');
    chmodSync(join(dir, 'tool'), 0o755);
    assert.equal(lookPath('tool', { PATH: `/nonexistent:${dir}` }), undefined);
    assert.equal(lookPath('./tool', {}, dir), undefined);
    assert.equal(lookPath(node, {}), undefined);
    assert.equal(lookPath('tool', { PATH: '/nonexistent' })?.code, 'ENOENT');
    assert.equal(lookPath('/no/such/program', { PATH })?.code, 'ENOENT');
    assert.equal(lookPath(node, {}, join(dir, 'missing-dir'))?.code, 'ENOENT');
    if (process.getuid?.() !== 0) assert.equal(lookPath(join(dir, 'plain'), {})?.code, 'EACCES');
    assert.equal(lookPath(dir, {})?.code, 'EACCES', 'a directory is not a program');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('container: the prefix runs first and execs the program (same PID)', async () => {
  await withRuntime(async (rt) => {
    const h = await rt.start(
      config({ command: [node, '-e'], args: ['console.log(process.env.KUBESVC_TEST_PREFIX, process.pid)'], execPrefix: prefix }),
    );
    const [out, exit] = await Promise.all([readAll(h.stdout), h.exited]);
    assert.equal(out.trim(), `1 ${h.pid}`);
    assert.equal(exit.exitCode, 0);
    // Without one the program starts as is.
    const plain = await rt.start(config({ command: [node, '-e'], args: ['console.log(String(process.env.KUBESVC_TEST_PREFIX))'], execPrefix: [] }));
    assert.equal((await readAll(plain.stdout)).trim(), 'undefined');
    await plain.exited;
  });
});

test('container behind a prefix: a StartError still names the user\'s program (and a missing prefix says so)', async () => {
  await withRuntime(async (rt, dir) => {
    await assert.rejects(rt.start(config({ command: ['no-such-program-xyz'], execPrefix: prefix })), (e: unknown) => {
      assert.ok(e instanceof StartError);
      assert.equal(e.message, 'exec: "no-such-program-xyz": executable file not found in $PATH');
      return true;
    });
    await assert.rejects(rt.start(config({ command: [node], workingDir: join(dir, 'nope'), execPrefix: prefix })), (e: unknown) => {
      assert.ok(e instanceof StartError);
      assert.equal(e.message, `failed to start container process: chdir to cwd ("${join(dir, 'nope')}") or exec "${node}": no such file or directory`);
      return true;
    });
    await assert.rejects(rt.start(config({ command: [node, '-e', ''], execPrefix: ['/no/such/ip', 'netns', 'exec', 'x'] })), (e: unknown) => {
      assert.ok(e instanceof StartError);
      assert.match(e.message, /pod network: exec "\/no\/such\/ip"/);
      return true;
    });
  });
});

test('exec probe behind the prefix: runs inside it; a missing command is named as without one', async () => {
  const ok = await execProbe({ command: [node, '-e', 'process.exit(process.env.KUBESVC_TEST_PREFIX === "1" ? 0 : 1)'], env: { PATH }, execPrefix: prefix }, 5000);
  assert.equal(ok.result, 'success');
  const without = await execProbe({ command: [node, '-e', 'process.exit(process.env.KUBESVC_TEST_PREFIX === "1" ? 0 : 1)'], env: { PATH } }, 5000);
  assert.equal(without.result, 'failure');
  const missing = await execProbe({ command: ['no-such-program-xyz'], env: { PATH }, execPrefix: prefix }, 5000);
  assert.deepEqual(missing, { result: 'failure', output: 'exec: "no-such-program-xyz": executable file not found in $PATH' });
  // runProbe passes the context's prefix on.
  const probe = { exec: { command: [node, '-e', 'console.log(process.env.KUBESVC_TEST_PREFIX); process.exit(1)'] } };
  const viaRun = await runProbe(probe, { podIP: '127.0.0.1', container: { name: 'c' }, env: { PATH }, execPrefix: prefix });
  assert.deepEqual(viaRun, { result: 'failure', output: '1\n' });
});

test('exec lifecycle hook behind the prefix', async () => {
  const ctx = { podIP: '127.0.0.1', container: { name: 'c' }, env: { PATH }, podRef: 'p_default(uid-1)' };
  const hook = { exec: { command: [node, '-e', 'process.exit(process.env.KUBESVC_TEST_PREFIX === "1" ? 0 : 1)'] } };
  assert.equal(await runHook(hook, { ...ctx, execPrefix: prefix }, 5000), undefined);
  assert.match((await runHook(hook, ctx, 5000)) ?? '', /^Exec lifecycle hook/);
});
