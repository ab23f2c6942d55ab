// Run by rootless.test.ts as an unprivileged user: a CrunRuntime as a non-root agent would use it,
// reporting what it saw as one JSON line on stdout.
import { spawnSync } from 'node:child_process';
import { CrunRuntime } from '../../../src/node/runtime/crun/runtime.js';
import { stopContainer, type ContainerConfig } from '../../../src/node/runtime/types.js';
import { busyboxConfig } from './busybox-image.js';

const [dataDir, rootfs] = process.argv.slice(2) as [string, string];

async function readAll(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += c.toString();
  return out;
}

const config = (id: string, args: string[]): ContainerConfig => ({
  id,
  podUID: 'uid-r',
  podName: 'p',
  namespace: 'default',
  containerName: 'c',
  attempt: 0,
  image: 'busybox:1.36',
  env: { MODE: 'rootless' },
  hostname: 'rootless-pod',
  args,
  pulled: { imageID: 'x', rootfs, config: { ...busyboxConfig, User: 'app' } },
});

const rt = new CrunRuntime(dataDir);
// A memory limit it cannot enforce without cgroups: the handle says why.
const limited = { cpuShares: 2, cpuQuota: 0, cpuPeriod: 100000, memoryLimitInBytes: 64 * 1024 * 1024 };
const once = await rt.start({ ...config('rootless-once', ['echo "$(id -u) $(cat /etc/hostname) $MODE"; exit 4']), resources: limited });
const [out, exit] = await Promise.all([readAll(once.stdout), once.exited]);
const long = await rt.start(config('rootless-long', ['exec sleep 600']));
const argv = long.execArgv!(['cat', '/etc/hostname']);
const exec = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 10_000 });
const stopped = await stopContainer(rt, long, 500);
process.stdout.write(JSON.stringify({ uid: process.getuid!(), limits: once.limitsNotEnforced, out, exitCode: exit.exitCode, exec: exec.stdout, execStatus: exec.status, stopped: stopped.exitCode }) + '\n');
