// netns mode measured with real kernel rules (not part of `npm test`; needs root, wrk, nft,
// iptables-save, nsenter): `kubesvc up --network netns --nodes 2 --proxy-mode iptables|nftables`,
//  1. requests/s and p50/p99 with wrk run inside node-1's namespace, through a ClusterIP (one
//     endpoint pod) versus direct to the same pod IP, keep-alive and a new connection per request,
//     the pod on node 2 (cross-node) and on node 1;
//  2. a deleted pod's IP leaving both nodes' rules, from sending the DELETE to the commit that
//     rewrites the Service's endpoint choice without it, in `nft monitor` inside each node (the
//     kernel's own change events, so no polling cost; a full listing then confirms the IP is gone);
//  3. network programming latency with 1,000 selector-less Services + EndpointSlices: measured
//     directly (PUT sent → a DNAT to the new endpoint committed in both nodes, from `nft monitor`) and from node 1's
//     kubeproxy_network_programming_duration_seconds / kubeproxy_sync_proxy_rules_duration_seconds;
//  4. kubesvc's RSS idle with 2 nodes and after the 1,000 Services.
//
// Never touches the machine's own network namespace: the bench creates a throwaway "host"
// namespace `ksb<pid>-host` (lo up), re-runs itself inside it (nsenter --net), and that inner run
// starts kubesvc with `--netns-prefix ksb<pid><i|n>`. Afterwards the outer run deletes, by exact
// name, the host namespace and any `ksb<pid>?-node-*` / `ksb<pid>?-pod-*` left (and reports them).
// Run: npm run build && node dist/bench/netns-mode.js [iptables|nftables|both] [seconds-per-wrk-run, default 3]
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { serviceChains } from '../src/proxy/iptables/names.js';
import { manifest, netexecDeployment, netexecPod, netexecService } from '../test/e2e/netexec.js';
import { kubectlOk, nsenterArgv, request, startCluster, type Cluster } from '../test/e2e/harness.js';
import { parseWrk, type LoadResult } from './wrk.js';
import { rssMiB } from './proc-stats.js';

type Mode = 'iptables' | 'nftables';
const which = process.argv[2] ?? 'both';
const modes: Mode[] = which === 'both' ? ['iptables', 'nftables'] : which === 'iptables' || which === 'nftables' ? [which] : [];
const seconds = Number(process.argv[3] ?? 3);
const rounds = 3;
const INNER = 'KUBESVC_NETNS_BENCH_ID';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter((l) => l !== '');

interface Out {
  code: number | null;
  stdout: string;
  stderr: string;
}
function run(argv: string[], timeoutMs = 10_000): Out {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 256 * 2 ** 20 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
/** argv inside a named namespace, asynchronously (both nodes are polled at once). */
function inNsAsync(ns: string, argv: string[], timeoutMs = 10_000): Promise<Out> {
  const full = [...nsenterArgv(ns), ...argv];
  return new Promise((resolve) => {
    const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

// ---- small JSON narrowing helpers (no `any`) ----
function at(o: unknown, ...keys: (string | number)[]): unknown {
  let v: unknown = o;
  for (const k of keys) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

// =============================== outer: namespace owner ===============================
async function outer(): Promise<number> {
  if (modes.length === 0) {
    console.error('usage: node dist/bench/netns-mode.js [iptables|nftables|both] [seconds]');
    return 2;
  }
  if (process.getuid?.() !== 0) {
    console.error('netns-mode bench needs root');
    return 2;
  }
  for (const t of ['wrk', 'nft', 'iptables-save', 'nsenter', 'ip']) {
    if (spawnSync('sh', ['-c', `command -v ${t}`]).status !== 0) {
      console.error(`netns-mode bench needs ${t}`);
      return 2;
    }
  }
  const id = `ksb${process.pid}`;
  const hostNs = `${id}-host`;
  const mine = (ns: string) => ns === hostNs || modes.some((m) => ns.startsWith(`${id}${m[0]}-node-`) || ns.startsWith(`${id}${m[0]}-pod-`));
  if (run(['ip', 'netns', 'add', hostNs]).code !== 0) throw new Error(`ip netns add ${hostNs} failed`);
  run([...nsenterArgv(hostNs), 'ip', 'link', 'set', 'lo', 'up']);
  let code: number | null = 1;
  try {
    // The whole measuring run lives in the host namespace: the API server, the metrics port and
    // the bridge are there, and nsenter reaches node namespaces by their /run/netns path.
    const argv = [...nsenterArgv(hostNs), process.execPath, ...process.argv.slice(1)];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: 'inherit', env: { ...process.env, [INNER]: id }, detached: true });
    const limitMs = 25 * 60_000;
    const timer = setTimeout(() => {
      console.error(`bench exceeded ${limitMs / 60_000} min: SIGTERM to its process group ${child.pid}`);
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* gone */
      }
      setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 15_000).unref();
    }, limitMs);
    code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    clearTimeout(timer);
  } finally {
    const left = lines(run(['ip', 'netns', 'list']).stdout).map((l) => l.split(/\s+/)[0]!).filter(mine);
    const leaked = left.filter((ns) => ns !== hostNs);
    if (leaked.length) console.log(`\n**Leaked namespaces after the run (deleted now):** ${leaked.join(', ')}`);
    for (const ns of left) run(['ip', 'netns', 'del', ns]);
  }
  return code ?? 1;
}

// =============================== inner: the measurements ===============================
async function wrkIn(ns: string, url: string, newConnection: boolean): Promise<LoadResult> {
  const args = ['wrk', '-t1', '-c32', `-d${seconds}s`, '--latency', ...(newConnection ? ['-H', 'Connection: close'] : []), url];
  const r = await inNsAsync(ns, args, (seconds + 20) * 1000);
  return parseWrk(r.stdout);
}

class Api {
  constructor(private readonly c: Cluster) {}
  async call(method: string, path: string, body?: unknown, contentType?: string): Promise<{ status: number; body: unknown }> {
    const r = await request(this.c, method, path, body === undefined ? undefined : JSON.stringify(body), contentType ? { contentType } : {});
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.body);
    } catch {
      parsed = r.body;
    }
    return { status: r.status, body: parsed };
  }
  async ok(method: string, path: string, body?: unknown, contentType?: string): Promise<unknown> {
    const r = await this.call(method, path, body, contentType);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body;
  }
  /** Ready, not terminating pods with label app=<app>: name and IP. */
  async readyPods(app: string): Promise<{ name: string; ip: string; node: string }[]> {
    const list = await this.ok('GET', `/api/v1/namespaces/default/pods?labelSelector=app%3D${app}`);
    const out: { name: string; ip: string; node: string }[] = [];
    for (const p of arr(at(list, 'items'))) {
      if (at(p, 'metadata', 'deletionTimestamp') !== undefined && at(p, 'metadata', 'deletionTimestamp') !== null) continue;
      const ready = arr(at(p, 'status', 'conditions')).some((c) => at(c, 'type') === 'Ready' && at(c, 'status') === 'True');
      const ip = str(at(p, 'status', 'podIP'));
      if (ready && ip) out.push({ name: str(at(p, 'metadata', 'name')), ip, node: str(at(p, 'spec', 'nodeName')) });
    }
    return out;
  }
  async clusterIP(name: string): Promise<string> {
    return str(at(await this.ok('GET', `/api/v1/namespaces/default/services/${name}`), 'spec', 'clusterIP'));
  }
}

async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, ms: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + ms;
  let v = await fn();
  while (!ok(v)) {
    if (Date.now() > deadline) throw new Error(`timed out (${ms} ms) waiting for ${what}`);
    await sleep(everyMs);
    v = await fn();
  }
  return v;
}

const ipRe = (ip: string) => new RegExp(`(^|[^\\d.])${ip.replace(/\./g, '\\.')}(?![\\d])`, 'm');

/**
 * `nft monitor` inside a node. It prints each committed transaction's changes, then a
 * "# new generation" line; next(pred) resolves with the time that line arrives for the first
 * transaction whose lines satisfy pred — one commit seen whole, whatever the rule layout.
 */
class RuleMonitor {
  private readonly child;
  private waiters: { pred: (lines: string[]) => boolean; resolve: (t: number) => void }[] = [];
  constructor(ns: string) {
    this.child = spawn('ip', ['netns', 'exec', ns, 'nft', 'monitor'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let buf = '';
    let txn: string[] = [];
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => {
      const t = performance.now();
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!line.startsWith('# new generation')) {
          txn.push(line);
          continue;
        }
        const lines = txn;
        txn = [];
        this.waiters = this.waiters.filter((w) => {
          if (!w.pred(lines)) return true;
          w.resolve(t);
          return false;
        });
      }
    });
  }
  next(pred: (lines: string[]) => boolean): Promise<number> {
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }
  stop(): void {
    this.child.kill();
  }
}

/** The rules choosing default/churn's endpoints in either mode and layout (its KUBE-SVC chain, its nft service chain). */
const churnChain = new RegExp(`^add rule ip (nat ${serviceChains('default/churn:http', 'tcp').cluster}|kube-proxy service-[A-Z2-7]+-default/churn/tcp/http) `);

const podYaml = (name: string, node: string) => manifest(netexecPod(name, node, { udp: false }), netexecService(name));
const churnYaml = manifest(netexecDeployment('churn', 6, { udp: false }), netexecService('churn'));

/** Prometheus text → cumulative histogram buckets of one metric (no labels), with sum and count. */
interface Hist {
  buckets: [number, number][];
  sum: number;
  count: number;
}
function parseHist(text: string, name: string): Hist {
  const buckets: [number, number][] = [];
  for (const m of text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\S+)$`, 'gm'))) {
    buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
  }
  const num = (suffix: string) => Number(new RegExp(`^${name}_${suffix} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { buckets, sum: num('sum'), count: num('count') };
}
function histDiff(a: Hist, b: Hist): Hist {
  return { buckets: b.buckets.map(([le, n], i) => [le, n - (a.buckets[i]?.[1] ?? 0)]), sum: b.sum - a.sum, count: b.count - a.count };
}
/** The upper bound of the bucket holding quantile q (what a histogram can tell). */
function histQuantile(h: Hist, q: number): number {
  const want = q * h.count;
  for (const [le, n] of h.buckets) if (n >= want && n > 0) return le;
  return NaN;
}
const fmtLe = (s: number) => (Number.isFinite(s) ? `≤ ${+(s * 1000).toFixed(1)} ms` : 'n/a');

interface ModeResult {
  mode: Mode;
  throughput: { pod: string; target: string; conn: string; r: LoadResult; perRound: number[] }[];
  removal: { samples: number[]; pollMs: number[]; notPresentBefore: number };
  programming: {
    createMs: number;
    syncedMs: number;
    direct: number[];
    pollMs: number[];
    npl: Hist;
    sync: Hist;
    syncAtCreate: Hist;
    rulesLines: number[];
  };
  rssIdle: number;
  rssWithPods: number;
  rss1000: number;
  stopCode: number | null;
  stderrProblems: string[];
  leakedAfterStop: string[];
  hostLinksAfterStop: string[];
}

async function measureMode(mode: Mode, id: string): Promise<ModeResult> {
  const hostNs = `${id}-host`;
  const prefix = `${id}${mode[0]}`;
  const node1 = `${prefix}-node-1`;
  const node2 = `${prefix}-node-2`;
  const c = await startCluster({
    netns: hostNs,
    timeoutMs: 30_000,
    args: ['--network', 'netns', '--nodes', '2', '--proxy-mode', mode, '--netns-prefix', prefix, '--proxy-healthz-port', '0'],
  });
  const api = new Api(c);
  const pid = c.proc.pid!;
  const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  if (comm === 'nsenter') console.error(`note: pid ${pid} is nsenter, RSS below is not kubesvc's`);
  const rulesOf = async (ns: string) => {
    const r = await inNsAsync(ns, mode === 'iptables' ? ['iptables-save', '-t', 'nat'] : ['nft', 'list', 'table', 'ip', 'kube-proxy']);
    // The inline layout's hairpin-ips set only gains pairs between full syncs (a pair left behind
    // routes nothing: see nftables/base.ts), so an IP there is not an IP the rules still send to.
    return mode === 'iptables' ? r.stdout : r.stdout.replace(/\tset hairpin-ips \{[\s\S]*?\n\t\}/, '');
  };
  /** Polls both nodes at once; resolves with how long one poll took. */
  const bothRules = async () => {
    const t = performance.now();
    const [a, b] = await Promise.all([rulesOf(node1), rulesOf(node2)]);
    return { a, b, ms: performance.now() - t };
  };
  // Node 1's kube-proxy figures, as the API server reads them: each node's proxy runs in its own
  // agent process, whose kubelet API passes them on at /metrics/proxy (nodes/<name>/proxy).
  const metrics = async () => {
    const r = await api.call('GET', `/api/v1/nodes/${node1}/proxy/metrics/proxy`);
    return typeof r.body === 'string' ? r.body : '';
  };

  try {
    await sleep(1000);
    const rssIdle = rssMiB(pid);
    console.error(`[${mode}] up; RSS idle ${f1(rssIdle)} MiB`);

    // ---- 1. throughput ----
    kubectlOk(c, ['apply', '-f', '-'], podYaml('echo-n1', node1));
    kubectlOk(c, ['apply', '-f', '-'], podYaml('echo-n2', node2));
    const targets: { pod: string; podIP: string; cip: string }[] = [];
    for (const name of ['echo-n2', 'echo-n1']) {
      const [p] = await waitFor(`${name} ready`, () => api.readyPods(name), (x) => x.length === 1, 60_000);
      const cip = await api.clusterIP(name);
      await waitFor(`${name} in node-1 rules`, () => rulesOf(node1), (t) => ipRe(p!.ip).test(t) && ipRe(cip).test(t), 20_000);
      targets.push({ pod: name === 'echo-n2' ? 'node 2 (cross-node)' : 'node 1 (same node)', podIP: p!.ip, cip });
    }
    const samples = new Map<string, { pod: string; target: string; conn: string; rs: LoadResult[] }>();
    for (let round = 0; round < rounds; round++) {
      for (const t of targets) {
        for (const nc of [false, true]) {
          for (const [target, url] of [
            ['direct pod IP', `http://${t.podIP}:8080/`],
            ['ClusterIP', `http://${t.cip}:80/`],
          ] as const) {
            const key = `${t.pod}|${target}|${nc}`;
            const e = samples.get(key) ?? { pod: t.pod, target, conn: nc ? 'new connection' : 'keep-alive', rs: [] };
            e.rs.push(await wrkIn(node1, url, nc));
            samples.set(key, e);
          }
        }
      }
      console.error(`[${mode}] throughput round ${round + 1}/${rounds} done`);
    }
    const throughput = [...samples.values()].map((e) => ({
      pod: e.pod,
      target: e.target,
      conn: e.conn,
      r: {
        rps: pct(e.rs.map((r) => r.rps), 50),
        p50ms: pct(e.rs.map((r) => r.p50ms), 50),
        p99ms: pct(e.rs.map((r) => r.p99ms), 50),
        errors: e.rs.reduce((n, r) => n + r.errors, 0),
      },
      perRound: e.rs.map((r) => Math.round(r.rps)),
    }));
    kubectlOk(c, ['delete', 'pod', 'echo-n1', 'echo-n2', '--wait=false']);

    // ---- 2. a deleted pod's endpoint leaving both proxies ----
    kubectlOk(c, ['apply', '-f', '-'], churnYaml);
    await waitFor('6 churn pods ready', () => api.readyPods('churn'), (x) => x.length === 6, 90_000);
    const removal: number[] = [];
    const pollMs: number[] = [];
    const monitors = [new RuleMonitor(node1), new RuleMonitor(node2)];
    await sleep(500); // `nft monitor` subscribes a moment after it starts
    let notPresentBefore = 0;
    const removalDeadline = Date.now() + 5 * 60_000;
    for (let r = 0; r < 15 && Date.now() < removalDeadline; r++) {
      const pods = await waitFor('6 churn pods ready', () => api.readyPods('churn'), (x) => x.length === 6, 60_000);
      const victim = pods[r % pods.length]!;
      const re = ipRe(victim.ip);
      // Its IP must be in both nodes' rules first, or the figure would mean nothing.
      const before = await waitFor(`${victim.ip} in both nodes' rules`, bothRules, (x) => re.test(x.a) && re.test(x.b), 10_000, 50).catch(() => undefined);
      if (!before) notPresentBefore++;
      // `nft monitor` in each node prints the kernel's rule changes as they commit: the commit that
      // rewrites the Service's endpoint choice without the victim is the moment its IP leaves that
      // node's rules (in either layout: inline DNATs, or jumps to endpoint chains named after it).
      const gone = (lines: string[]) => {
        const chosen = lines.filter((l) => churnChain.test(l));
        return chosen.length > 0 && !chosen.some((l) => re.test(l));
      };
      const seen = [monitors[0]!.next(gone), monitors[1]!.next(gone)];
      const t0 = performance.now();
      const del = await api.call('DELETE', `/api/v1/namespaces/default/pods/${victim.name}`);
      if (del.status >= 300) throw new Error(`DELETE pod ${victim.name}: ${del.status}`);
      const at = await Promise.race([Promise.all(seen), new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000))]);
      if (!at) {
        console.error(`[${mode}] ${victim.ip} still in rules after 10 s`);
        removal.push(10_000);
        continue;
      }
      // Also confirm with a (slow) full listing that the IP is really gone from both nodes.
      const x = await bothRules();
      pollMs.push(x.ms);
      if (re.test(x.a) || re.test(x.b)) console.error(`[${mode}] monitor saw the chain go but ${victim.ip} is still listed`);
      removal.push(Math.max(...at) - t0);
    }
    for (const m of monitors) m.stop();
    console.error(`[${mode}] removal: ${removal.map((x) => Math.round(x)).join(' ')} ms`);
    await waitFor('6 churn pods ready', () => api.readyPods('churn'), (x) => x.length === 6, 60_000);
    const rssWithPods = rssMiB(pid);

    // ---- 3. network programming at 1,000 Services ----
    const n = 1000;
    const epIP = (i: number, gen: number) => `10.244.${100 + gen * 5 + Math.floor(i / 250)}.${(i % 250) + 1}`;
    const sliceOf = (i: number, ip: string) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: `bulk-${i}-1`,
        labels: { 'kubernetes.io/service-name': `bulk-${i}` },
        annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': new Date().toISOString() },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: [ip], conditions: { ready: true } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
    const mBefore = await metrics();
    const tc = performance.now();
    const conc = 8;
    let next = 0;
    await Promise.all(
      Array.from({ length: conc }, async () => {
        for (let i = next++; i < n; i = next++) {
          await api.ok('POST', '/api/v1/namespaces/default/services', {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: `bulk-${i}` },
            spec: { ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
          });
          await api.ok('POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', sliceOf(i, epIP(i, 0)));
        }
      }),
    );
    const createMs = performance.now() - tc;
    const allIn = (t: string) => {
      for (let i = 0; i < n; i++) if (!t.includes(epIP(i, 0))) return false;
      return true;
    };
    const synced = await waitFor('1,000 Services in both nodes\' rules', bothRules, (x) => allIn(x.a) && allIn(x.b), 180_000, 500);
    const syncedMs = performance.now() - tc;
    const rulesLines = [lines(synced.a).length, lines(synced.b).length];
    const mSynced = await metrics();
    await sleep(2000);
    const rss1000 = rssMiB(pid);
    console.error(`[${mode}] 1,000 Services created in ${Math.round(createMs)} ms, in both nodes' rules after ${Math.round(syncedMs)} ms`);

    const m0 = await metrics();
    const progMonitors = [new RuleMonitor(node1), new RuleMonitor(node2)];
    await sleep(500);
    const direct: number[] = [];
    const ppoll: number[] = [];
    const progDeadline = Date.now() + 5 * 60_000;
    for (let k = 0; k < 30 && Date.now() < progDeadline; k++) {
      const i = (k * 37) % n;
      const ip = epIP(i, 1 + (k % 2));
      const re = ipRe(ip);
      // The commit that adds a DNAT to the new endpoint in each node's `nft monitor` is when it is
      // programmed there (in the Service's chain inline, or in its own endpoint chain upstream).
      const dnat = new RegExp(`^add rule ip \\S+ \\S+ .*dnat (ip )?to ${ip.replace(/\./g, '\\.')}:8080$`);
      const added = (lines: string[]) => lines.some((l) => dnat.test(l));
      const seen = [progMonitors[0]!.next(added), progMonitors[1]!.next(added)];
      const rv = str(at(await api.ok('GET', `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/bulk-${i}-1`), 'metadata', 'resourceVersion'));
      const t0 = performance.now();
      await api.ok('PUT', `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/bulk-${i}-1`, {
        ...sliceOf(i, ip),
        metadata: { ...sliceOf(i, ip).metadata, resourceVersion: rv },
      });
      const when = await Promise.race([Promise.all(seen), new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000))]);
      if (!when) {
        console.error(`[${mode}] ${ip} not programmed after 10 s`);
        direct.push(10_000);
        continue;
      }
      direct.push(Math.max(...when) - t0);
      if (k % 10 === 0) {
        const x = await bothRules();
        ppoll.push(x.ms);
        if (!re.test(x.a) || !re.test(x.b)) console.error(`[${mode}] monitor saw ${ip} programmed but a listing does not show it`);
      }
      await sleep(100);
    }
    for (const m of progMonitors) m.stop();
    console.error(`[${mode}] programming: ${direct.map((x) => Math.round(x)).join(' ')} ms`);
    await sleep(1500);
    const m1 = await metrics();
    const NPL = 'kubeproxy_network_programming_duration_seconds';
    const SYNC = 'kubeproxy_sync_proxy_rules_duration_seconds';

    const result: Omit<ModeResult, 'stopCode' | 'stderrProblems' | 'leakedAfterStop' | 'hostLinksAfterStop'> = {
      mode,
      throughput,
      removal: { samples: removal, pollMs, notPresentBefore },
      programming: {
        createMs,
        syncedMs,
        direct,
        pollMs: ppoll,
        npl: histDiff(parseHist(m0, NPL), parseHist(m1, NPL)),
        sync: histDiff(parseHist(m0, SYNC), parseHist(m1, SYNC)),
        syncAtCreate: histDiff(parseHist(mBefore, SYNC), parseHist(mSynced, SYNC)),
        rulesLines,
      },
      rssIdle,
      rssWithPods,
      rss1000,
    };
    const stopCode = await c.stop();
    await sleep(500);
    const leakedAfterStop = lines(run(['ip', 'netns', 'list']).stdout)
      .map((l) => l.split(/\s+/)[0]!)
      .filter((ns) => ns.startsWith(`${prefix}-`));
    const hostLinksAfterStop = lines(run(['ip', '-o', 'link', 'show']).stdout).map((l) => l.replace(/^\d+:\s+/, '').split(/[:@]/)[0]!);
    const stderrProblems = lines(c.stderr()).filter((l) => /error|fail|warn|exception|unhandled/i.test(l));
    return { ...result, stopCode, stderrProblems, leakedAfterStop, hostLinksAfterStop };
  } finally {
    await c.destroy();
    // By exact prefix, whatever this mode's run left.
    for (const ns of lines(run(['ip', 'netns', 'list']).stdout).map((l) => l.split(/\s+/)[0]!)) {
      if (ns.startsWith(`${prefix}-node-`) || ns.startsWith(`${prefix}-pod-`)) run(['ip', 'netns', 'del', ns]);
    }
  }
}

function report(rs: ModeResult[]): void {
  const up = run(['uptime']).stdout.trim();
  console.log(`\n# netns mode bench\n\nuptime at the end: \`${up}\`; loadavg ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`);
  console.log(`## 1. HTTP through a ClusterIP vs direct (wrk -t1 -c32 -d${seconds}s inside node 1, median of ${rounds} interleaved rounds)\n`);
  console.log('| proxy | pod on | connection | direct req/s (p50 / p99 ms) | ClusterIP req/s (p50 / p99 ms) | ClusterIP / direct | errors (direct / ClusterIP) |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rs) {
    for (const pod of ['node 2 (cross-node)', 'node 1 (same node)']) {
      for (const conn of ['keep-alive', 'new connection']) {
        const d = r.throughput.find((x) => x.pod === pod && x.conn === conn && x.target === 'direct pod IP');
        const s = r.throughput.find((x) => x.pod === pod && x.conn === conn && x.target === 'ClusterIP');
        if (!d || !s) continue;
        const cell = (x: typeof d) => `${Math.round(x.r.rps).toLocaleString('en-US')} (${x.r.p50ms.toFixed(2)} / ${x.r.p99ms.toFixed(2)}) [${x.perRound.join(', ')}]`;
        console.log(`| ${r.mode} | ${pod} | ${conn} | ${cell(d)} | ${cell(s)} | ${((s.r.rps / d.r.rps) * 100).toFixed(0)} % | ${d.r.errors} / ${s.r.errors} |`);
      }
    }
  }
  console.log('\n## 2. Deleted pod → its IP gone from both nodes\' rules (6-pod Deployment, from the DELETE response)\n');
  console.log('| proxy | samples | p50 | p99 | max | one full listing of both nodes (median / max), for scale | IP not in rules before delete |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rs) {
    const s = r.removal.samples;
    console.log(`| ${r.mode} | ${s.length} | ${f1(pct(s, 50))} ms | ${f1(pct(s, 99))} ms | ${f1(Math.max(...s))} ms | ${f1(pct(r.removal.pollMs, 50))} / ${f1(Math.max(...r.removal.pollMs))} ms | ${r.removal.notPresentBefore} |`);
  }
  console.log('\n## 3. Network programming at 1,000 Services (selector-less, one endpoint each)\n');
  console.log('| proxy | create 1,000 Services + slices | all in both nodes\' rules | rules lines (node 1 / 2) | direct: PUT sent → DNAT to the new endpoint committed in both nodes, p50 / p99 / max (n) | one poll (median) | metric NPL: count, mean, p50 / p99 bucket | metric sync_proxy_rules during the changes: count, mean, p99 bucket | sync while creating: count, mean, max bucket |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of rs) {
    const p = r.programming;
    const mean = (h: Hist) => (h.count > 0 ? `${((h.sum / h.count) * 1000).toFixed(1)} ms` : 'n/a');
    console.log(
      `| ${r.mode} | ${(p.createMs / 1000).toFixed(1)} s | ${(p.syncedMs / 1000).toFixed(1)} s | ${p.rulesLines.join(' / ')} | ${f1(pct(p.direct, 50))} / ${f1(pct(p.direct, 99))} / ${f1(Math.max(...p.direct))} ms (${p.direct.length}) | ${f1(pct(p.pollMs, 50))} ms | ${p.npl.count}, ${mean(p.npl)}, ${fmtLe(histQuantile(p.npl, 0.5))} / ${fmtLe(histQuantile(p.npl, 0.99))} | ${p.sync.count}, ${mean(p.sync)}, ${fmtLe(histQuantile(p.sync, 0.99))} | ${p.syncAtCreate.count}, ${mean(p.syncAtCreate)}, ${fmtLe(histQuantile(p.syncAtCreate, 1))} |`,
    );
  }
  console.log('\n## 4. kubesvc RSS (the `kubesvc up` process; pods are separate processes)\n');
  console.log('| proxy | 2 nodes idle | with 6 pods | + 1,000 Services |');
  console.log('|---|---|---|---|');
  for (const r of rs) console.log(`| ${r.mode} | ${f1(r.rssIdle)} MiB | ${f1(r.rssWithPods)} MiB | ${f1(r.rss1000)} MiB |`);
  console.log('\n## Health\n');
  for (const r of rs) {
    console.log(`- ${r.mode}: exit code on SIGTERM ${r.stopCode}; namespaces left after stop: ${r.leakedAfterStop.length ? r.leakedAfterStop.join(', ') : 'none'}; host-namespace links after stop: ${r.hostLinksAfterStop.join(', ')}`);
    console.log(`  stderr lines matching error/fail/warn (${r.stderrProblems.length}):`);
    for (const l of r.stderrProblems.slice(0, 15)) console.log(`    ${l.slice(0, 300)}`);
  }
}

async function inner(id: string): Promise<number> {
  const results: ModeResult[] = [];
  for (const m of modes) {
    try {
      results.push(await measureMode(m, id));
    } catch (e) {
      console.error(`[${m}] failed:`, e);
    }
  }
  report(results);
  return results.length === modes.length ? 0 : 1;
}

const innerId = process.env[INNER];
(innerId ? inner(innerId) : outer()).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
