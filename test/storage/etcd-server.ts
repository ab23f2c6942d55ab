// A throwaway etcd for tests: Debian's etcd-server on free loopback ports with its own data
// directory, stopped by PID. Restarting on the same directory and ports is how the durability
// test checks that acknowledged writes survive.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** Starts on fresh ports when a port was taken between freePort() and etcd's bind (lostPortRace). */
const portAttempts = 5;

/** Path of the etcd binary on PATH, or undefined when it is not installed. */
export function findEtcd(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'etcd');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** A port nobody listens on at `host` (127.0.0.1 unless given). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether an etcd answers /version on 127.0.0.1:port (not merely a listener there). */
async function answers(port: number): Promise<boolean> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/version`, { signal: AbortSignal.timeout(1000) });
    return r.ok && (await r.text()).includes('etcdserver');
  } catch {
    return false;
  }
}

/** Whether 127.0.0.1:port answers inside a named network namespace (through curl, there). */
function canConnectIn(netns: string, port: number): boolean {
  return spawnSync('nsenter', [`--net=/run/netns/${netns}`, '--', 'curl', '-s', '-o', '/dev/null', '--max-time', '1', `http://127.0.0.1:${port}/version`]).status === 0;
}

export class EtcdServer {
  private proc: ChildProcess | undefined;
  private output = '';

  private constructor(
    private readonly binary: string,
    readonly dataDir: string,
    readonly clientPort: number,
    readonly peerPort: number,
    readonly name = 'default',
    /** --initial-cluster: every member's name=peer URL (this one alone unless part of a cluster). */
    private readonly initialCluster?: string,
    /** A named network namespace to run in (its own 127.0.0.1), or this process's. */
    readonly netns?: string,
  ) {}

  /** `pickPort` is freePort but for the test of the retry itself. */
  static async start(binary: string, dataDir: string, pickPort: () => Promise<number> = freePort): Promise<EtcdServer> {
    const [server] = await EtcdServer.startAll(async () => [new EtcdServer(binary, dataDir, await pickPort(), await pickPort())]);
    return server!;
  }

  /** Members of one cluster, started together (each waits for a quorum of the others). */
  static async startCluster(binary: string, dataDir: (name: string) => string, size: number, netns?: string): Promise<EtcdServer[]> {
    return EtcdServer.startAll(async () => {
      const ports = [];
      // In a namespace of the test's own, any port is free: its loopback is empty.
      for (let i = 0; i < size; i++) ports.push({ name: `member-${i + 1}`, client: netns ? 2379 + 10 * i : await freePort(), peer: netns ? 2380 + 10 * i : await freePort() });
      const initial = ports.map((p) => `${p.name}=http://127.0.0.1:${p.peer}`).join(',');
      return ports.map((p) => new EtcdServer(binary, dataDir(p.name), p.client, p.peer, p.name, initial, netns));
    });
  }

  /**
   * Starts the servers `make` gives, together; when one lost a port race (lostPortRace), all are
   * stopped, their directories (bootstrapped for those ports) removed, and `make` asked for fresh
   * ones, up to portAttempts times.
   */
  private static async startAll(make: () => Promise<EtcdServer[]>): Promise<EtcdServer[]> {
    for (let attempt = 1; ; attempt++) {
      const members = await make();
      const started = await Promise.allSettled(members.map((m) => m.run()));
      const failed = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (!failed) return members;
      await Promise.all(members.map((m) => m.stop()));
      if (attempt >= portAttempts || !members.some((m) => m.lostPortRace())) throw failed.reason;
      for (const m of members) rmSync(m.dataDir, { recursive: true, force: true });
    }
  }

  /**
   * Whether the last run failed because a port it was given was taken meanwhile: freePort()
   * closes its probe before etcd binds, and a test running beside this one may take the port in
   * between (seen in CI: "bind: address already in use"). Fresh ports then, not a failure.
   */
  private lostPortRace(): boolean {
    return /bind: address already in use/.test(this.output);
  }

  /** kill -9, as a machine that dies. */
  kill(): Promise<void> {
    return this.stop('SIGKILL');
  }

  get endpoint(): string {
    return `127.0.0.1:${this.clientPort}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Stop (SIGTERM, then SIGKILL after 5 s) and wait for the process to exit. */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const proc = this.proc;
    this.proc = undefined;
    if (!proc || proc.exitCode !== null || proc.pid === undefined) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    process.kill(proc.pid, signal);
    const timer = setTimeout(() => proc.pid !== undefined && process.kill(proc.pid, 'SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.run();
  }

  private async run(): Promise<void> {
    const client = `http://127.0.0.1:${this.clientPort}`;
    const peer = `http://127.0.0.1:${this.peerPort}`;
    this.output = '';
    const argv = [
        ...(this.netns ? [`--net=/run/netns/${this.netns}`, '--', this.binary] : []),
        '--name', this.name,
        '--data-dir', this.dataDir,
        '--listen-client-urls', client,
        '--advertise-client-urls', client,
        '--listen-peer-urls', peer,
        '--initial-advertise-peer-urls', peer,
        '--initial-cluster', this.initialCluster ?? `${this.name}=${peer}`,
        // One token per cluster: members of another test's cluster on reused ports never mix with these.
        '--initial-cluster-token', `kubesvc-test-${createHash('sha256').update(this.initialCluster ?? peer).digest('hex').slice(0, 12)}`,
    ];
    const proc = spawn(this.netns ? 'nsenter' : this.binary, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = proc;
    // Ready when this etcd says it serves its client port and that port answers: an answer alone
    // could come from another etcd holding the port (its peer listener answers /version too).
    const serving = `serving insecure client requests on 127.0.0.1:${this.clientPort},`;
    let said = false;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
      said ||= this.output.includes(serving);
    };
    proc.stdout!.on('data', keep);
    proc.stderr!.on('data', keep);
    const deadline = Date.now() + 15_000;
    while (!(said && proc.exitCode === null && (this.netns ? canConnectIn(this.netns, this.clientPort) : await answers(this.clientPort)))) {
      if (proc.exitCode !== null) throw new Error(`etcd exited with ${proc.exitCode}:\n${this.output}`);
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(`etcd did not listen on ${client} within 15 s:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
