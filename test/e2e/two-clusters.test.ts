// Two clusters on one machine, started as a user would (different --data-dir, nothing else): the
// second gets ranges and ports of its own and says so; ranges the user asks for that another
// running cluster holds are refused, naming it; a port conflict names the real port and flag; and
// the data dir's files are the owner's alone.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { kubectlOk, kubesvcBin, tempDir } from './harness.js';

interface Up {
  proc: ChildProcess;
  out(): string;
  exited: Promise<number | null>;
  /** SIGTERM once, then the exit code. */
  stop(): Promise<number | null>;
}

function up(args: string[]): Up {
  const proc = spawn(process.execPath, [kubesvcBin, 'up', '--api-port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  let stopping: Promise<number | null> | undefined;
  return {
    proc,
    out: () => out,
    exited,
    stop: () =>
      (stopping ??= (async () => {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 15_000);
        const code = await exited;
        clearTimeout(t);
        return code;
      })()),
  };
}

/** Waits for the ready summary (or the exit); returns the summary's fields. */
async function ready(u: Up, ms = 20_000): Promise<Record<string, string>> {
  const deadline = Date.now() + ms;
  while (!/Try: KUBECONFIG=/.test(u.out())) {
    if (u.proc.exitCode !== null || Date.now() > deadline) throw new Error(`kubesvc up did not become ready:\n${u.out()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const field = (label: string) => new RegExp(`^  ${label}\\s+(.*)$`, 'm').exec(u.out())?.[1] ?? '';
  return {
    service: field('service CIDR'),
    pod: field('pod CIDR'),
    lb: field('LB pool'),
    dns: field('cluster DNS'),
    kubeconfig: field('kubeconfig'),
  };
}

async function exitOf(u: Up, ms = 20_000): Promise<number | null> {
  const t = setTimeout(() => u.proc.kill('SIGKILL'), ms);
  const code = await u.exited;
  clearTimeout(t);
  return code;
}

const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);

describe('two clusters on one machine', () => {
  it('the second gets its own ranges and ports, says which, and keeps them; taken ones it was asked for are refused by name', async (t) => {
    const dir = tempDir();
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    // An existing data dir, as a user's mkdir makes it.
    mkdirSync(a, { mode: 0o755 });
    chmodSync(a, 0o755);
    const A = up(['--data-dir', a]);
    let B: Up | undefined;
    const holder = createServer();
    try {
      const pa = await ready(A);
      B = up(['--data-dir', b]);
      const pb = await ready(B);
      t.diagnostic(`first: ${pa.service}, ${pa.pod}, ${pa.lb}; second: ${pb.service}, ${pb.pod}, ${pb.lb}`);
      for (const k of ['service', 'pod', 'lb'] as const) assert.notEqual(pb[k], pa[k], `the second cluster's ${k} range is its own`);
      assert.notEqual(pb.dns.split(' ')[0], pa.dns.split(' ')[0], 'and so is its DNS Service address');
      assert.match(B.out(), new RegExp(`used by the kubesvc cluster running with data dir ${a} \\(pid ${A.proc.pid}\\)`), 'it says whose ranges it moved off');
      if (process.getuid?.() === 0) assert.doesNotMatch(B.out(), /needs root/, 'running as root, nothing says root is needed');
      assert.doesNotMatch(B.out(), /already in use/);

      // Each cluster's Services get ClusterIPs from its own range.
      const ipOf = (kubeconfig: string, name: string) => {
        const c = { kubeconfig, dataDir: dir };
        kubectlOk(c, ['create', 'service', 'clusterip', name, '--tcp=80:8080']);
        return kubectlOk(c, ['get', 'service', name, '-o', 'jsonpath={.spec.clusterIP}']);
      };
      const prefix = (cidr: string) => cidr.split('.').slice(0, 2).join('.') + '.';
      assert.ok(ipOf(pa.kubeconfig, 'web').startsWith(prefix(pa.service)));
      assert.ok(ipOf(pb.kubeconfig, 'web').startsWith(prefix(pb.service)));

      // The data dir is the owner's alone, although it existed (0755) before.
      for (const f of ['state.db', 'state.db-wal', 'kubesvc.pid', 'kubeconfig.yaml', 'address-plan.json']) assert.equal(mode(join(a, f)), '600', f);
      // With locking_mode EXCLUSIVE SQLite keeps the WAL index in memory; if there is a -shm file, it is private too.
      if (existsSync(join(a, 'state.db-shm'))) assert.equal(mode(join(a, 'state.db-shm')), '600');
      for (const d of ['node', 'pki']) assert.equal(mode(join(a, d)), '700', d);

      // Asking for the first cluster's range: refused, naming it, before anything starts.
      const C = up(['--data-dir', join(dir, 'c'), '--service-cidr', pa.service]);
      assert.equal(await exitOf(C), 2, C.out());
      assert.match(C.out(), new RegExp(`--service-cidr ${pa.service.replace(/\./g, '\\.')} overlaps the service CIDR .* data dir ${a} \\(pid ${A.proc.pid}\\)`));
      assert.ok(!existsSync(join(dir, 'c', 'kubesvc.pid')));

      // A port conflict names the port that is taken and its flag — not the API port.
      await new Promise<void>((r) => holder.listen({ host: '127.0.0.1', port: 0 }, () => r()));
      const taken = (holder.address() as AddressInfo).port;
      const D = up(['--data-dir', join(dir, 'd'), '--proxy-healthz-port', String(taken)]);
      assert.equal(await exitOf(D), 2, D.out());
      assert.match(D.out(), new RegExp(`port ${taken} on 127\\.0\\.0\\.1 \\(--proxy-healthz-port\\) is already in use`));
      assert.doesNotMatch(D.out(), /--api-port/);

      // Once the first is gone, the second keeps the ranges its objects have addresses from.
      assert.equal(await A.stop(), 0);
      assert.equal(await B.stop(), 0);
      // A database an older kubesvc created 0644 is tightened on the next start.
      chmodSync(join(b, 'state.db'), 0o644);
      B = up(['--data-dir', b]);
      const again = await ready(B);
      assert.equal(again.service, pb.service);
      assert.equal(again.pod, pb.pod);
      assert.equal(again.lb, pb.lb);
      assert.equal(mode(join(b, 'state.db')), '600');
      assert.equal(await B.stop(), 0);
    } finally {
      holder.close();
      await A.stop();
      await B?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});


