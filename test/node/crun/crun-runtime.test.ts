// CrunRuntime against the real crun, with a busybox image built in a temp dir: bundles, overlay
// root filesystems, output files, exit codes, signals, exec, adoption by a new runtime instance.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CrunRuntime } from '../../../src/node/runtime/crun/runtime.js';
import { StartError, stopContainer, type ContainerConfig, type ContainerHandle } from '../../../src/node/runtime/types.js';
import { busyboxConfig, busyboxRootfs, crunAvailable } from './busybox-image.js';

const skip = crunAvailable ? false : 'needs root, /usr/bin/crun and /bin/busybox (busybox-static)';
const image = crunAvailable ? busyboxRootfs() : '';
const dirs: string[] = [];
const runtimes: CrunRuntime[] = [];

after(async () => {
  for (const rt of runtimes) {
    for (const h of rt.running) rt.signal(h, 'SIGKILL');
    await Promise.all(rt.running.map((h) => h.exited));
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (image) rmSync(image, { recursive: true, force: true });
});

function runtime(dir?: string): { rt: CrunRuntime; dir: string } {
  const d = dir ?? mkdtempSync(join(tmpdir(), 'crun-rt-'));
  if (!dir) dirs.push(d);
  const rt = new CrunRuntime(d);
  runtimes.push(rt);
  return { rt, dir: d };
}

function config(over: Partial<ContainerConfig>): ContainerConfig {
  return {
    id: `crun-test-${Math.random().toString(16).slice(2)}`,
    podUID: 'uid-1',
    podName: 'p',
    namespace: 'default',
    containerName: 'c',
    attempt: 0,
    image: 'busybox:1.36',
    env: {},
    hostname: 'web-0',
    pulled: { imageID: 'busybox@sha256:00', rootfs: image, config: busyboxConfig },
    ...over,
  };
}

async function readAll(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += c.toString();
  return out;
}

function exec(h: ContainerHandle, command: string[], cwd?: string) {
  const argv = h.execArgv!(command, cwd);
  return spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 10_000 });
}

test('a container runs in its own root, hostname and user with the merged env; output and exit code', { skip }, async () => {
  const { rt, dir } = runtime();
  const h = await rt.start(
    config({
      args: ['echo out; echo err >&2; cat /etc/hostname; id -u; id -g; pwd; echo "$FROM_IMAGE $OVERRIDE $HOSTNAME"; exit 3'],
      env: { OVERRIDE: 'container' },
      workingDir: '/tmp',
      pulled: { imageID: 'x', rootfs: image, config: { ...busyboxConfig, User: 'app' } },
    }),
  );
  const [out, err, exit] = await Promise.all([readAll(h.stdout), readAll(h.stderr), h.exited]);
  assert.equal(out, 'out\nweb-0\n1000\n1000\n/tmp\nyes container web-0\n');
  assert.equal(err, 'err\n');
  assert.equal(exit.exitCode, 3);
  // Its bundle is gone.
  assert.deepEqual(readdirSync(join(dir, 'crun', 'bundles')), []);
  // crun's state lives under the data dir, not the machine's /run/crun.
  assert.ok(existsSync(join(dir, 'crun', 'state')));
  assert.equal(existsSync(`/run/crun/${h.id}`), false);
});

test('a missing program is a StartError with the runtime words; nothing is left behind', { skip }, async () => {
  const { rt, dir } = runtime();
  await assert.rejects(rt.start(config({ command: ['/no/such'] })), (e: Error) => {
    assert.ok(e instanceof StartError);
    assert.match(e.message, /OCI runtime create failed: .*\/no\/such/);
    return true;
  });
  assert.deepEqual(readdirSync(join(dir, 'crun', 'bundles')), []);
});

test('exec runs inside the container with its env; SIGTERM reaches a trapping process; SIGKILL after the grace', { skip }, async () => {
  const { rt } = runtime();
  const h = await rt.start(config({ args: ['trap "echo got-term; exit 7" TERM; echo up; while true; do sleep 0.1; done'], env: { GREETING: 'hi' } }));
  const r = exec(h, ['sh', '-c', 'cat /etc/hostname; echo $GREETING; pwd'], '/bin');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'web-0\nhi\n/bin\n');
  const missing = exec(h, ['nosuch']);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /nosuch/);
  const exit = await stopContainer(rt, h, 5000);
  assert.equal(exit.exitCode, 7);
  assert.match(await readAll(h.stdout), /up\ngot-term\n/);

  // sleep as PID 1 ignores SIGTERM (no handler), as in any container: SIGKILL after the grace.
  const h2 = await rt.start(config({ command: ['sleep', '600'] }));
  const t0 = Date.now();
  const exit2 = await stopContainer(rt, h2, 700);
  assert.equal(exit2.exitCode, 137);
  assert.ok(Date.now() - t0 >= 600, 'waited for the grace period');
});

test('mounts: a host directory appears read-only at its path', { skip }, async () => {
  const { rt } = runtime();
  const vol = mkdtempSync(join(tmpdir(), 'crun-vol-'));
  dirs.push(vol);
  writeFileSync(join(vol, 'data.txt'), 'from-host\n');
  const h = await rt.start(
    config({
      args: ['cat /data/data.txt; touch /data/x 2>/dev/null && echo writable || echo read-only; touch /written'],
      mounts: [{ containerPath: '/data', hostPath: vol, readOnly: true }],
    }),
  );
  assert.equal(await readAll(h.stdout), 'from-host\nread-only\n');
  assert.equal((await h.exited).exitCode, 0);
  // The container wrote into its own upper dir, never into the shared image.
  assert.equal(existsSync(join(image, 'written')), false);
});

/** Starts a container from a child process standing in for an agent, then kills that agent with SIGKILL. */
async function startInKilledAgent(dir: string, script: string): Promise<string> {
  const child = spawn(process.execPath, [fileURLToPath(new URL('./start-child.js', import.meta.url)), dir, image, script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('\n')) resolve(out);
    });
    child.once('exit', () => reject(new Error(`the agent child exited: ${out}`)));
  });
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return (JSON.parse(line) as { id: string }).id;
}

test('after kill -9 of its agent, a new runtime adopts the container: output goes on, its exit code is known', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crun-rt-'));
  dirs.push(dir);
  const id = await startInKilledAgent(dir, 'echo one; while [ ! -f /tmp/go ]; do sleep 0.05; done; echo two; exit 5');
  const { rt: second } = runtime(dir);
  second.recoverLeftovers();
  const left = second.leftover('uid-1', 'app');
  assert.ok(left);
  assert.equal(left.id, id);
  assert.equal(left.attempt, 2);
  const adopted = second.adopt(id, { stdout: Buffer.byteLength('one\n'), stderr: 0 });
  assert.ok(adopted);
  assert.equal(await second.cleanupLeftovers(), 0, 'an adopted container is not a leftover');
  const r = exec(adopted, ['touch', '/tmp/go']);
  assert.equal(r.status, 0, r.stderr);
  const [out, exit] = await Promise.all([readAll(adopted.stdout), adopted.exited]);
  assert.equal(out, 'two\n');
  assert.equal(exit.exitCode, 5);
  assert.equal(exit.unknown, undefined);
  assert.deepEqual(readdirSync(join(dir, 'crun', 'bundles')), []);
});

test('what no pod adopts is cleaned up: container, bundle and crun state', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crun-rt-'));
  dirs.push(dir);
  await startInKilledAgent(dir, 'exec sleep 600');
  const { rt: second } = runtime(dir);
  second.recoverLeftovers();
  assert.equal(await second.cleanupLeftovers(), 1);
  assert.deepEqual(readdirSync(join(dir, 'crun', 'bundles')), []);
  const list = spawnSync('crun', ['--root', join(dir, 'crun', 'state'), 'list', '-q'], { encoding: 'utf8' });
  assert.equal(list.stdout.trim(), '');
});

test("an image store path with ':' (sha256:…) still gets an overlay", { skip }, async () => {
  const { rt } = runtime();
  const store = mkdtempSync(join(tmpdir(), 'crun-store-'));
  dirs.push(store);
  const colon = join(store, `sha256:${'cd'.repeat(8)},x`);
  spawnSync('cp', ['-a', image, colon]);
  const h = await rt.start(config({ args: ['grep -c " / overlay " /proc/mounts'], pulled: { imageID: 'x', rootfs: colon, config: busyboxConfig } }));
  assert.equal(await readAll(h.stdout), '1\n');
  assert.equal((await h.exited).exitCode, 0);
});

test('resources: the container runs in its own cgroup with the limits; over its memory limit it is OOM-killed (137)', { skip }, async () => {
  const { rt } = runtime();
  const { linuxContainerResources } = await import('../../../src/node/runtime/linux-resources.js');
  const resources = linuxContainerResources({ name: 'c', resources: { requests: { cpu: '250m' }, limits: { cpu: '500m', memory: '32Mi' } } });
  // Its own cgroup files, read from inside: /proc/self/cgroup names it, the hierarchy says the values.
  const ok = await rt.start(config({ resources, args: ['cat /proc/self/cgroup; dd if=/dev/zero of=/dev/null bs=4M count=1 2>/dev/null; echo fine'] }));
  const [out, exit] = await Promise.all([readAll(ok.stdout), ok.exited]);
  assert.equal(exit.exitCode, 0);
  assert.equal(exit.oomKilled, undefined);
  assert.match(out, new RegExp(`memory:/kubesvc/${ok.id}\\n`));
  assert.match(out, /fine\n$/);
  // A 64 MiB buffer under a 32 MiB limit: the kernel kills it.
  const id = config({}).id;
  const big = await rt.start(config({ id, resources, args: ['exec dd if=/dev/zero of=/dev/null bs=64M count=1'] }));
  const limit = readFileSync(`/sys/fs/cgroup/memory/kubesvc/${id}/memory.limit_in_bytes`, 'utf8').trim();
  const quota = readFileSync(`/sys/fs/cgroup/cpu/kubesvc/${id}/cpu.cfs_quota_us`, 'utf8').trim();
  const shares = readFileSync(`/sys/fs/cgroup/cpu/kubesvc/${id}/cpu.shares`, 'utf8').trim();
  const [bigOut, bigExit] = await Promise.all([readAll(big.stdout), big.exited]);
  assert.deepEqual([limit, quota, shares], [String(32 * 1024 * 1024), '50000', '256']);
  assert.equal(bigExit.exitCode, 137);
  assert.equal(bigExit.oomKilled, true);
  assert.doesNotMatch(bigOut, /copied/);
  // Its cgroups are gone with it.
  assert.equal(existsSync(`/sys/fs/cgroup/memory/kubesvc/${id}`), false);
  assert.equal(existsSync(`/sys/fs/cgroup/cpu/kubesvc/${id}`), false);
});
