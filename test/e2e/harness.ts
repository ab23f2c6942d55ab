// Drives kubesvc as a user does: `bin/kubesvc up` in a child process, kubectl against the
// kubeconfig it writes. Every cluster gets its own data dir and a free API port.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, readdirSync, mkdirSync, openSync, writeSync, closeSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PidFiles } from '../../src/node/runtime/pidfiles.js';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const kubesvcBin = join(root, 'bin', 'kubesvc');
export const kubectlBin = process.env.KUBECTL ?? '/usr/bin/kubectl';

/** The address plan a test cluster got (see planArgs). */
export interface Plan {
  serviceCIDR: string;
  /** e.g. "127.101." — the first two octets of every ClusterIP. */
  servicePrefix: string;
  podCIDR: string;
  podPrefix: string;
  lbPool: string;
  lbPrefix: string;
}

let planCounter = 0;

// Slots are claimed with a file per slot, held until this test process exits: a cluster that is
// stopped and started again on its plan (restart tests) must not find another file's cluster on
// the same ranges meanwhile, and test files of several runs on one machine share the slots.
const slotDir = join(tmpdir(), 'kubesvc-test-slots');
const claimed: string[] = [];
let releaseHooked = false;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function claimSlot(preferred: number): number {
  mkdirSync(slotDir, { recursive: true });
  if (!releaseHooked) {
    releaseHooked = true;
    process.on('exit', () => {
      for (const f of claimed) {
        try {
          unlinkSync(f);
        } catch {
          // already gone
        }
      }
    });
  }
  for (let i = 0; i < 60; i++) {
    const slot = (preferred + i) % 60;
    const file = join(slotDir, String(slot));
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        claimed.push(file);
        return slot;
      } catch {
        // Held: by this process (take the next), by a live one (the same), or left by a dead one (take it over).
        let owner = 0;
        try {
          owner = Number(readFileSync(file, 'utf8'));
        } catch {
          continue;
        }
        // An empty file is a claim being written: held too.
        if (!(owner > 0) || owner === process.pid || alive(owner)) break;
        try {
          unlinkSync(file);
        } catch {
          // someone else took it over first
        }
      }
    }
  }
  // Every slot held: share one, as before slots were claimed.
  return preferred;
}

/**
 * Test clusters run side by side (four test files at a time, several clusters per file), and each
 * one's kube-proxy binds its ClusterIPs and node ports: give every cluster its own ranges inside
 * 127.0.0.0/8 and let the proxy's metrics/health ports be picked free.
 */
export function planArgs(): { plan: Plan; args: string[] } {
  const slot = claimSlot((process.pid * 7 + planCounter++) % 60);
  const svc = `127.${100 + slot}.`;
  const pod = `127.${170 + slot}.`;
  // 127.240.100-159: `up` without --lb-pool picks 127.240.0.0/24, then .1, .2, ... next to running
  // clusters, and a test that starts one that way (two-clusters) must not take a slot's pool
  // while that slot's cluster is between a stop and its restart (shutdown's restarts).
  const lb = `127.240.${100 + slot}.`;
  const plan: Plan = {
    serviceCIDR: `${svc}0.0/16`,
    servicePrefix: svc,
    podCIDR: `${pod}0.0/16`,
    podPrefix: pod,
    lbPool: `${lb}0/24`,
    lbPrefix: lb,
  };
  return { plan, args: planFlagsOf(plan) };
}

export interface Cluster {
  plan: Plan;
  dataDir: string;
  kubeconfig: string;
  url: string;
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** stop() and remove the data dir. */
  destroy(): Promise<void>;
  /** Prefix that runs a client where this cluster lives (netns tests: `nsenter --net=...`). */
  wrap?: string[];
}

export function tempDir(prefix = 'kubesvc-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Starts `kubesvc up` and resolves once it printed that it is ready. */
export async function startCluster(
  opts: {
    dataDir?: string;
    args?: string[];
    timeoutMs?: number;
    plan?: Plan;
    command?: 'up' | 'apiserver';
    /** Run kubesvc (and kubectl against it) inside this named network namespace, with netns mode's own address plan. */
    netns?: string;
    /** Extra environment for kubesvc (e.g. a switch only a benchmark uses). */
    env?: Record<string, string>;
    /** Internal: how many plans were refused as another running cluster's. */
    planRetries?: number;
    /** Another installation's bin/kubesvc (e.g. a copy built without the optional addons). */
    bin?: string;
    /** Run the ingress controller (the default of `kubesvc up`; planArgs leaves it out). */
    ingress?: boolean;
  } = {},
): Promise<Cluster> {
  const dataDir = opts.dataDir ?? tempDir();
  // A restart passes the plan it had, so the cluster keeps its ranges.
  const { plan, args: planFlags } = opts.netns
    ? { plan: netnsPlan, args: [] }
    : opts.plan
      ? { plan: opts.plan, args: planFlagsOf(opts.plan) }
      : planArgs();
  const wrap = opts.netns ? nsenterArgv(opts.netns) : [];
  // KUBESVC_NODE_FLAGS lets benchmarks profile the server (e.g. --cpu-prof).
  const nodeFlags = (process.env.KUBESVC_NODE_FLAGS ?? '').split(' ').filter(Boolean);
  let flags = [...planFlags, ...(opts.args ?? [])];
  if (opts.ingress) flags = flags.filter((f, i, all) => !(f === '--disable' && all[i + 1] === 'ingress') && !(f === 'ingress' && all[i - 1] === '--disable'));
  const argv = [...wrap, process.execPath, ...nodeFlags, opts.bin ?? kubesvcBin, opts.command ?? 'up', '--data-dir', dataDir, '--api-port', '0', ...flags];
  const proc = spawn(argv[0]!, argv.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const ready = await new Promise<boolean>((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    const check = () => {
      if (/kubeconfig\s+\S+/.test(out) && /API server\s+https:\/\/\S+/.test(out)) {
        clearTimeout(t);
        resolve(true);
      }
    };
    proc.stdout!.on('data', check);
    proc.on('exit', () => {
      clearTimeout(t);
      resolve(false);
    });
  });
  if (!ready) {
    proc.kill('SIGKILL');
    // planArgs picks ranges by slot, and another test's running cluster may hold them: kubesvc
    // refuses such ranges (naming the holder), so pick the next slot.
    if (!opts.plan && !opts.netns && /overlaps the .* of the kubesvc cluster running/.test(err) && (opts.planRetries ?? 0) < 5) {
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
      return startCluster({ ...opts, planRetries: (opts.planRetries ?? 0) + 1 });
    }
    throw new Error(`kubesvc up did not become ready:\nstdout:\n${out}\nstderr:\n${err}`);
  }
  const kubeconfig = /kubeconfig\s+(\S+)/.exec(out)![1]!;
  const url = /API server\s+(https:\/\/\S+)/.exec(out)![1]!;
  let stopped: Promise<number | null> | undefined;
  const stop = () => {
    if (!stopped) {
      stopped = (async () => {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        const code = await exited;
        clearTimeout(t);
        return code;
      })();
    }
    return stopped;
  };
  return {
    plan,
    dataDir,
    kubeconfig,
    url,
    proc,
    stdout: () => out,
    stderr: () => err,
    stop,
    ...(wrap.length ? { wrap } : {}),
    async destroy() {
      await stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** netns mode's default plan (each netns test cluster lives in a network namespace of its own). */
const netnsPlan: Plan = {
  serviceCIDR: '10.96.0.0/12',
  servicePrefix: '10.',
  podCIDR: '10.244.0.0/16',
  podPrefix: '10.244.',
  lbPool: '172.30.1.0/24',
  lbPrefix: '172.30.1.',
};

/** Runs a program in a named network namespace without `ip netns exec`'s private mount namespace. */
export function nsenterArgv(netns: string): string[] {
  return ['nsenter', `--net=/run/netns/${netns}`, '--'];
}

/**
 * The flags of a test cluster on `p`: its ranges, free ports, and no ingress controller — one more
 * pod in every cluster; only the tests of it run it (startCluster's `ingress`), which keeps the
 * suite's load down.
 */
function planFlagsOf(p: Plan): string[] {
  return ['--service-cidr', p.serviceCIDR, '--pod-cidr', p.podCIDR, '--lb-pool', p.lbPool, '--proxy-metrics-port', '0', '--proxy-healthz-port', '0', '--kubelet-port', '0', '--disable', 'ingress'];
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs kubectl against the cluster; `input` goes to its stdin (for `-f -`). */
export function kubectl(c: Pick<Cluster, 'kubeconfig' | 'dataDir' | 'wrap'>, args: string[], input?: string): RunResult {
  const argv = [...(c.wrap ?? []), kubectlBin, ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), {
    input: input ?? '',
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, KUBECONFIG: c.kubeconfig, KUBECACHEDIR: join(c.dataDir, 'kubectl-cache'), HOME: c.dataDir },
  });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** kubectl that must succeed; returns stdout. */
export function kubectlOk(c: Pick<Cluster, 'kubeconfig' | 'dataDir' | 'wrap'>, args: string[], input?: string): string {
  const r = kubectl(c, args, input);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** The admin credentials from the kubeconfig, for raw HTTPS requests. */
export function credentials(kubeconfig: string): { ca: string; cert: string; key: string } {
  const text = readFileSync(kubeconfig, 'utf8');
  const field = (name: string) => Buffer.from(new RegExp(`${name}: (\\S+)`).exec(text)![1]!, 'base64').toString('utf8');
  return { ca: field('certificate-authority-data'), cert: field('client-certificate-data'), key: field('client-key-data') };
}

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): any;
}

/** One HTTPS request to the API server with (or without) the admin client certificate. */
export async function request(
  c: Pick<Cluster, 'kubeconfig' | 'url'>,
  method: string,
  path: string,
  body?: string | Buffer,
  opts: { contentType?: string; accept?: string; anonymous?: boolean; userAgent?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const https = await import('node:https');
  const cred = credentials(c.kubeconfig);
  const u = new URL(path, c.url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      u,
      {
        method,
        ca: cred.ca,
        ...(opts.anonymous ? {} : { cert: cred.cert, key: cred.key }),
        headers: {
          ...(body !== undefined
            ? { 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }
            : {}),
          ...(opts.accept ? { Accept: opts.accept } : {}),
          ...(opts.userAgent ? { 'User-Agent': opts.userAgent } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (data += d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data, json: () => JSON.parse(data) }),
        );
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** GET http://host:port/ as a client of a Service would: the body, or `error:<code>`. */
export function httpGet(host: string, port: number, path = '/'): Promise<string> {
  return new Promise((resolve) => {
    void import('node:http').then((http) => {
      const req = http.get({ host, port, path, timeout: 2000, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve(body.trim()));
      });
      req.on('timeout', () => req.destroy(new Error('ETIMEDOUT')));
      req.on('error', (e: NodeJS.ErrnoException) => resolve(`error:${e.code ?? e.message}`));
    });
  });
}

/**
 * Polls `fn` until `ok` accepts its value; fails the test with the last value after `ms`. Every
 * 100 ms for the first second, then less often (up to every 400 ms): many polls run kubectl, whose
 * start costs ~0.1 s of CPU, and the suite runs four files at once on two cores.
 */
export async function until<T>(what: string, fn: () => T | Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const start = Date.now();
  const deadline = start + ms;
  let v = await fn();
  while (!ok(v)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    const waited = Date.now() - start;
    await new Promise((r) => setTimeout(r, waited < 1000 ? 100 : waited < 3000 ? 200 : 400));
    v = await fn();
  }
  return v;
}

/**
 * Ends the container processes that node agents under `dir` left running (each agent's
 * `containers/*.pid` files; a PID reused by another process is left alone): for tests that kill
 * an agent with SIGKILL and may fail before a restarted agent cleans up after it.
 */
export function killLeftoverContainers(dir: string): number {
  let n = 0;
  const walk = (d: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const sub = join(d, e.name);
      if (e.name === 'containers') {
        for (const rec of new PidFiles(sub).list()) {
          if (!PidFiles.stillOurs(rec)) continue;
          try {
            process.kill(-rec.pid, 'SIGKILL');
            n++;
          } catch {
            /* gone */
          }
        }
      } else if (depth < 4) walk(sub, depth + 1);
    }
  };
  walk(dir, 0);
  return n;
}
