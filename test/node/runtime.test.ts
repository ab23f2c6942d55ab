import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ProcessRuntime } from '../../src/node/runtime/process.js';
import { PidFiles } from '../../src/node/runtime/pidfiles.js';
import { processAlive as alive, procStartTime } from '../../src/util/process-alive.js';
import { ImageNotRunnableError, StartError, stopContainer, type ContainerConfig } from '../../src/node/runtime/types.js';

const node = process.execPath;

function config(over: Partial<ContainerConfig>): ContainerConfig {
  return {
    id: Math.random().toString(16).slice(2),
    podUID: 'uid-1',
    podName: 'p',
    namespace: 'default',
    containerName: 'c',
    attempt: 0,
    image: 'kubesvc.io/host',
    env: { PATH: process.env.PATH ?? '' },
    ...over,
  };
}

async function readAll(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += c.toString();
  return out;
}

test('command + args run directly with the given env and working dir; exit code reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rt-'));
  const rt = new ProcessRuntime(dir);
  await rt.init();
  try {
    const h = await rt.start(
      config({
        command: [node, '-e'],
        args: ['console.log(process.env.POD_IP, process.cwd(), process.argv.length); console.error("err"); process.exit(7)'],
        env: { POD_IP: '127.244.0.2' },
        workingDir: dir,
      }),
    );
    assert.ok(h.pid > 0);
    const [out, err, exit] = await Promise.all([readAll(h.stdout), readAll(h.stderr), h.exited]);
    assert.equal(out.trim(), `127.244.0.2 ${dir} 1`);
    assert.equal(err.trim(), 'err');
    assert.equal(exit.exitCode, 7);
    assert.deepEqual(readdirSync(join(dir, 'containers')), [], 'PID file removed on exit');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stop: SIGTERM reaches the whole process group; SIGKILL after the grace period', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rt-'));
  const rt = new ProcessRuntime(dir);
  try {
    // A parent that starts a grandchild and ignores SIGTERM: only the group kill ends both.
    const script = `
      process.on('SIGTERM', () => {});
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, ['-e', 'setInterval(()=>{}, 1000)'], { stdio: 'ignore' });
      console.log(c.pid);
      setInterval(() => {}, 1000);`;
    const h = await rt.start(config({ command: [node, '-e', script] }));
    const grandchild = await new Promise<number>((resolve) => h.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    assert.ok(alive(grandchild));
    const t0 = Date.now();
    const exit = await stopContainer(rt, h, 300);
    assert.ok(Date.now() - t0 >= 250, 'waited for the grace period');
    assert.equal(exit.exitCode, 137);
    assert.equal(exit.signal, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(grandchild), false, 'the grandchild went with the group');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a process that exits on SIGTERM reports 143', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rt-'));
  const rt = new ProcessRuntime(dir);
  try {
    const h = await rt.start(config({ command: ['sleep', '30'] }));
    const exit = await stopContainer(rt, h, 5000);
    assert.equal(exit.exitCode, 143);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('unknown image without command is not runnable; a missing program is a StartError', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rt-'));
  const rt = new ProcessRuntime(dir);
  await rt.init();
  try {
    assert.throws(() => rt.check({ image: 'nginx:1.27' }), (e: Error) => {
      assert.ok(e instanceof ImageNotRunnableError);
      assert.match(e.message, /kubesvc was started without image pulling, so image "nginx:1.27" cannot run/);
      assert.match(e.message, /kubesvc.io\/host with a `command`/);
      return true;
    });
    // Another image's command does not run here: only kubesvc.io/host runs commands on this machine.
    assert.throws(() => rt.check({ image: 'busybox', command: ['sh'] }), ImageNotRunnableError);
    assert.throws(() => rt.check({ image: 'kubesvc.io/host:1' }), (e: Error) => {
      assert.match(e.message, /runs the container's command on this machine: set the container's `command`/);
      return true;
    });
    await assert.rejects(rt.start(config({ command: ['/no/such/binary'] })), (e: Error) => {
      assert.ok(e instanceof StartError);
      assert.equal(e.message, 'exec: "/no/such/binary": executable file not found in $PATH');
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('leftovers from a crashed agent are killed by the next one (PID files)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rt-'));
  try {
    // Simulate the previous agent: a detached process plus its PID file.
    const child = spawn('sleep', ['30'], { detached: true, stdio: 'ignore' });
    await new Promise((r) => child.once('spawn', r));
    const files = new PidFiles(join(dir, 'containers'));
    files.write({ pid: child.pid!, containerID: 'old', podUID: 'u', container: 'c', procStart: procStartTime(child.pid!) });
    files.write({ pid: 999999, containerID: 'gone', podUID: 'u', container: 'd' });
    const exited = new Promise((r) => child.once('exit', r));
    const rt = new ProcessRuntime(dir);
    assert.equal(await rt.cleanupLeftovers(), 1);
    await exited;
    assert.equal(alive(child.pid!), false);
    assert.deepEqual(files.list(), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('containers do not outlive an agent process that exits without stopping them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rt-'));
  try {
    const runtimeURL = new URL('../../src/node/runtime/process.js', import.meta.url).href;
    const agentScript = `
      const { ProcessRuntime } = await import(${JSON.stringify(runtimeURL)});
      const rt = new ProcessRuntime(${JSON.stringify(dir)});
      const h = await rt.start({ id: 'x', podUID: 'u', podName: 'p', namespace: 'd', containerName: 'c', attempt: 0, image: 'kubesvc.io/host', command: ['sleep', '60'], env: {} });
      console.log(h.pid);
      setTimeout(() => { throw new Error('agent crashed'); }, 100);`;
    const agent = spawn(node, ['--input-type=module', '-e', agentScript], { stdio: ['ignore', 'pipe', 'ignore'] });
    const pid = await new Promise<number>((resolve) => agent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    assert.ok(alive(pid));
    await new Promise((r) => agent.once('exit', r));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(pid), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a container outlives a killed agent (its output goes to files) and the next agent adopts it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rt-'));
  let pid = 0;
  try {
    const runtimeURL = new URL('../../src/node/runtime/process.js', import.meta.url).href;
    // The container prints a numbered line every 50 ms, on stdout and stderr.
    const program = `let i = 0; setInterval(() => { console.log('out ' + i); console.error('err ' + i); i++; }, 50); process.on('SIGTERM', () => process.exit(0));`;
    const agentScript = `
      const { ProcessRuntime } = await import(${JSON.stringify(runtimeURL)});
      const rt = new ProcessRuntime(${JSON.stringify(dir)});
      const h = await rt.start({ id: 'c1', podUID: 'u', podName: 'p', namespace: 'd', containerName: 'app', attempt: 3, image: 'kubesvc.io/host', command: [process.execPath, '-e', ${JSON.stringify(program)}], env: {} });
      let seen = 0;
      h.stdout.on('data', (d) => { seen += d.length; });
      console.log(h.pid);
      setInterval(() => {}, 1000);`;
    const agent = spawn(node, ['--input-type=module', '-e', agentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    pid = await new Promise<number>((resolve) => agent.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    await new Promise((r) => setTimeout(r, 300));
    agent.kill('SIGKILL');
    await new Promise((r) => agent.once('exit', r));
    // Writing on after its agent is gone: with pipes, the first write would have killed it.
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(alive(pid), 'the container survives its agent');

    const rt = new ProcessRuntime(dir);
    rt.recoverLeftovers();
    assert.equal(rt.leftover('u', 'other'), undefined);
    const left = rt.leftover('u', 'app');
    assert.ok(left, 'the leftover is found by pod and container');
    assert.equal(left.pid, pid);
    assert.equal(left.attempt, 3);
    // As if the previous agent's log held the first 6 bytes of stdout ("out 0\n") and none of stderr.
    const h = rt.adopt(left.id, { stdout: 6, stderr: 0 })!;
    assert.ok(h);
    assert.equal(h.pid, pid);
    assert.equal(await rt.cleanupLeftovers(), 0, 'an adopted container is not a leftover');
    assert.ok(alive(pid));
    const out: string[] = [];
    const err: string[] = [];
    h.stdout.on('data', (d: Buffer) => out.push(d.toString()));
    h.stderr.on('data', (d: Buffer) => err.push(d.toString()));
    await new Promise((r) => setTimeout(r, 300));
    const exit = await stopContainer(rt, h, 5000);
    assert.equal(exit.exitCode, 143, 'exit reported by the signal the agent sent');
    await new Promise((r) => setTimeout(r, 50));
    const outLines = out.join('').trim().split('\n');
    const errLines = err.join('').trim().split('\n');
    // Nothing lost or repeated: stdout resumes at line 1, stderr from line 0, both in order.
    assert.equal(outLines[0], 'out 1');
    assert.equal(errLines[0], 'err 0');
    outLines.forEach((l, i) => assert.equal(l, `out ${i + 1}`));
    errLines.forEach((l, i) => assert.equal(l, `err ${i}`));
    assert.ok(outLines.length > 15, `output from before and after the adoption (${outLines.length} lines)`);
    assert.deepEqual(readdirSync(join(dir, 'containers')), [], 'PID and output files removed once it exited');
  } finally {
    if (pid && alive(pid)) process.kill(-pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an adopted container that exits on its own is noticed; its exit code is unknown', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rt-'));
  let child: ReturnType<typeof spawn> | undefined;
  try {
    // The previous agent's records for a process that is not this test's runtime's child.
    const files = new PidFiles(join(dir, 'containers'));
    files.ensureDir();
    for (const s of ['stdout', 'stderr']) writeFileSync(join(dir, 'containers', `c2.${s}`), '');
    child = spawn('sleep', ['0.6'], { detached: true, stdio: 'ignore' });
    await new Promise((r) => child!.once('spawn', r));
    files.write({ pid: child.pid!, containerID: 'c2', podUID: 'u', container: 'app', attempt: 0, startedAt: new Date().toISOString(), procStart: procStartTime(child.pid!) });
    // And one whose PID now names another process (a different start time): never adopted.
    files.write({ pid: process.pid, containerID: 'reused', podUID: 'u', container: 'other', attempt: 0, startedAt: new Date().toISOString(), procStart: '1' });
    const rt = new ProcessRuntime(dir);
    rt.recoverLeftovers();
    assert.equal(rt.leftover('u', 'other'), undefined, 'a reused PID is not adopted');
    const h = rt.adopt(rt.leftover('u', 'app')!.id, { stdout: 0, stderr: 0 })!;
    const exit = await h.exited;
    assert.equal(exit.unknown, true);
    assert.equal(exit.exitCode, 137);
    assert.equal(await rt.cleanupLeftovers(), 0, 'the reused PID is not killed either');
    assert.deepEqual(files.list(), []);
  } finally {
    child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a leftover whose main process died meanwhile is not adopted, and what it started is ended', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rt-'));
  let grandchild = 0;
  try {
    // The main process starts a child in its process group, then dies while no agent watches.
    const script = `const c = require('node:child_process').spawn('sleep', ['30'], { stdio: 'ignore' }); console.log(c.pid); setInterval(() => {}, 1000);`;
    const leader = spawn(node, ['-e', script], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    grandchild = await new Promise<number>((resolve) => leader.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
    const files = new PidFiles(join(dir, 'containers'));
    files.ensureDir();
    for (const s of ['stdout', 'stderr']) writeFileSync(join(dir, 'containers', `c3.${s}`), '');
    files.write({ pid: leader.pid!, containerID: 'c3', podUID: 'u', container: 'app', attempt: 0, startedAt: new Date().toISOString(), procStart: procStartTime(leader.pid!) });
    leader.kill('SIGKILL');
    await new Promise((r) => leader.once('exit', r));
    assert.ok(alive(grandchild), 'its child lives on in the group');
    const rt = new ProcessRuntime(dir);
    rt.recoverLeftovers();
    assert.equal(rt.leftover('u', 'app'), undefined);
    await until(() => !alive(grandchild));
    assert.deepEqual(readdirSync(join(dir, 'containers')), [], 'its records and output files are gone');
  } finally {
    if (grandchild && alive(grandchild)) process.kill(grandchild, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

async function until(ok: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) assert.fail('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
