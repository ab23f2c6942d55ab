// Debian's docker-registry (distribution 2.8) on 127.0.0.1 for tests: a real OCI registry,
// started on a free port with its storage in a temp dir, stopped by its PID.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../node/images/helpers.js';

export const DOCKER_REGISTRY_BIN = '/usr/bin/docker-registry';

export interface DockerRegistry {
  /** "127.0.0.1:PORT": what image references name. */
  host: string;
  /** "http://127.0.0.1:PORT" */
  url: string;
  stop(): Promise<void>;
}

/** Whether the registry answers /v2/ (from inside `netns` when given: this process cannot reach its loopback). */
async function answers(url: string, netns: string | undefined): Promise<boolean> {
  if (netns) {
    return spawnSync('ip', ['netns', 'exec', netns, 'curl', '-sf', '-o', '/dev/null', '--max-time', '1', `${url}/v2/`]).status === 0;
  }
  try {
    const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1000) });
    return res.status === 200;
  } catch {
    return false; // not listening yet
  }
}

async function waitReady(url: string, child: ChildProcess, ms: number, netns: string | undefined): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && child.exitCode === null) {
    if (await answers(url, netns)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * The registry on 127.0.0.1, or on the loopback of the network namespace `netns` (one a test made:
 * its own loopback is empty, so port 5000 is free there).
 */
export async function startDockerRegistry(opts: { netns?: string } = {}): Promise<DockerRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'ociimage-registry-'));
  // The free port may be taken by another test between our check and the registry's bind: retry.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = opts.netns ? 5000 : await freePort('127.0.0.1');
    const config = join(dir, 'config.yml');
    await writeFile(
      config,
      [
        'version: 0.1',
        'log:',
        '  level: error',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(dir, 'data')}`,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: 127.0.0.1:${port}`,
        '',
      ].join('\n'),
    );
    // `ip netns exec` execs the registry in place: the child's PID is the registry's.
    const argv = [...(opts.netns ? ['ip', 'netns', 'exec', opts.netns] : []), DOCKER_REGISTRY_BIN, 'serve', config];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 8192) stderr += d;
    });
    const url = `http://127.0.0.1:${port}`;
    if (await waitReady(url, child, 10_000, opts.netns)) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      return {
        host: `127.0.0.1:${port}`,
        url,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
            await exited;
            clearTimeout(timer);
          }
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
    if (child.exitCode === null) child.kill('SIGKILL');
    if (attempt === 4) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`docker-registry did not start: ${stderr}`);
    }
  }
  throw new Error('unreachable');
}
