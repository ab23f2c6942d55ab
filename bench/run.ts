// `npm run bench`: every benchmark in this folder, one after the other (they share two cores, so
// running them side by side would measure each other), each bounded in time, with what it printed
// kept in bench/results/<UTC time>/<name>.txt and a summary.json beside it, and every figure a
// benchmark measured next to a peer (its RESULT lines, report.ts) in comparisons.json and table.md. A benchmark whose
// tools are missing (root, wrk, dnsperf, etcd …) is skipped with the reason, not failed.
// As root it first installs the peers and tools they need from Debian (--no-install: skip them instead).
// Run: npm run bench [-- --only dns,startup] [-- --list] [-- --timeout-minutes 20] [-- --no-install]
import './closed-output.js';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, createWriteStream, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { comparisonTable, parseComparisons, type Comparison } from './report.js';

interface Bench {
  name: string;
  /** what it measures, for --list */
  what: string;
  args?: string[];
  /** commands that must be on PATH (or absolute paths that must exist) */
  tools?: string[];
  /** peers it compares against when they are there (installed as root like tools, not required) */
  peers?: string[];
  root?: boolean;
}

const benches: Bench[] = [
  { name: 'startup', what: 'kubesvc up until ready, fresh and restarted' },
  { name: 'apiserver', what: '10,000 Service creates with 100 watchers, list, watch latency, memory' },
  { name: 'store-creates', what: 'Service creates through the store alone, in process: the create pipeline\'s own CPU' },
  { name: 'local-client-authz', what: 'in-process creates/s with and without authorization, decision cost cached and not' },
  { name: 'apply', what: 'server-side vs client-side apply of 200 Services: creates/s and p99', tools: ['kubectl'] },
  { name: 'discovery', what: 'kubectl api-resources with and without aggregated discovery', tools: ['kubectl'] },
  { name: 'ui-view', what: 'the live view in headless Chromium: 500 Services churning, frame times, memory with 10 views', tools: ['chromium'] },
  { name: 'crd-cel', what: 'custom resource creates/s through CEL-validated Gateway API schemas (library)' },
  { name: 'crd-http', what: 'HTTPRoute (CEL-validated) vs ConfigMap creates/s through HTTP on kubesvc up' },
  { name: 'storage-sqlite', what: 'SQLite backend creates/s and lists' },
  { name: 'storage-etcd', what: 'etcd backend creates/s and lists', tools: ['etcd'] },
  { name: 'ha-apiserver', what: 'NodePort Service creates/s: one API server on SQLite vs two on one etcd' },
  { name: 'ingress', what: 'the built-in ingress controller vs nginx and HAProxy on the same pods (wrk); Ingress created → served; pod deleted → no more requests', tools: ['wrk', 'nginx', 'haproxy'], root: true },
  { name: 'ingress-core', what: 'the routing core alone (no cluster, no access log) vs nginx on the same backends (wrk)', tools: ['wrk', 'nginx'] },
  { name: 'several-machines', what: 'kubesvc server/agent processes: creates/s on SQLite vs two servers on 3-member etcd, server failover, node death, agent memory' },
  { name: 'workloads', what: '100-replica Deployment to Ready, pod replacement, memory per pod', tools: ['kubectl'] },
  { name: 'dns', what: 'cluster DNS vs dnsmasq with dnsperf', tools: ['dnsperf', 'dnsmasq'] },
  { name: 'dns-cluster', what: 'cluster DNS through the kube-dns ClusterIP of kubesvc up vs dnsmasq', tools: ['dnsperf', 'dnsmasq', 'kubectl'], root: true },
  { name: 'proxy-userspace', what: 'userspace proxy requests/s (vs HAProxy when installed), UDP, programming latency', peers: ['wrk', 'haproxy'] },
  { name: 'proxy-iptables', what: 'iptables rule render and apply times', tools: ['iptables-restore'] },
  { name: 'proxy-nftables', what: 'nftables rule render and apply times', tools: ['nft'], root: true },
  { name: 'netns-mode', what: 'netns mode: wrk through ClusterIPs, endpoint removal latency', tools: ['wrk', 'nft', 'nsenter'], root: true },
  { name: 'soak-connections', what: '10,000 idle connections + 1,000 watches, memory back at rest' },
  { name: 'image-pull', what: 'OCI image pull from docker-registry, cold and warm, vs skopeo copy + umoci unpack', tools: ['/usr/bin/docker-registry', '/bin/busybox'] },
  { name: 'oci-pods', what: '20 pods of one OCI image through kubesvc up: to all Ready, disk, memory per pod, vs a built-in image', tools: ['/usr/bin/crun', '/usr/bin/docker-registry', '/bin/busybox', 'kubectl'], root: true },
  { name: 'oci-start', what: 'OCI container (crun, busybox) start to Ready p50/p99 vs the built-in image path', tools: ['/usr/bin/crun', '/bin/busybox'], root: true },
  { name: 'malloc-trim', what: 'malloc_trim(0) cost at 100-300 MiB RSS (the memory release after a crowd)' },
];

function has(tool: string): boolean {
  if (tool.startsWith('/')) return spawnSync('test', ['-x', tool]).status === 0;
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** Debian packages that provide the tools benchmarks compare against or drive. */
const packageOf: Record<string, string> = {
  wrk: 'wrk',
  nginx: 'nginx-light',
  haproxy: 'haproxy',
  dnsmasq: 'dnsmasq',
  dnsperf: 'dnsperf',
  etcd: 'etcd-server',
  'iptables-restore': 'iptables',
  nft: 'nftables',
  nsenter: 'util-linux',
  chromium: 'chromium',
  '/usr/bin/crun': 'crun',
  '/usr/bin/docker-registry': 'docker-registry',
  '/bin/busybox': 'busybox-static',
};

/**
 * As root, installs the peers and tools the chosen benchmarks need from Debian, so that a run
 * compares against them instead of skipping. Services the packages would start (nginx, haproxy,
 * dnsmasq) are kept from starting: each benchmark starts its own peer on its own ports.
 */
function installPeers(chosen: Bench[]): void {
  if (process.getuid?.() !== 0) return;
  const wanted = [...new Set(chosen.flatMap((b) => [...(b.tools ?? []), ...(b.peers ?? [])]).filter((t) => !has(t) && packageOf[t]).map((t) => packageOf[t]!))];
  if (!wanted.length) return;
  console.log(`installing ${wanted.join(', ')} (apt-get; their services are not started)`);
  const policy = '/usr/sbin/policy-rc.d';
  const hadPolicy = spawnSync('test', ['-e', policy]).status === 0;
  if (!hadPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...wanted], { stdio: 'inherit', env });
    if (r.status !== 0) console.log(`apt-get install failed (exit ${r.status}): the benchmarks that need them are skipped`);
  } finally {
    if (!hadPolicy) rmSync(policy, { force: true });
  }
}

function missing(b: Bench): string | undefined {
  if (b.root && process.getuid?.() !== 0) return 'needs root';
  const absent = (b.tools ?? []).filter((t) => !has(t));
  return absent.length ? `needs ${absent.join(', ')} (apt-get install)` : undefined;
}

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function runOne(script: string, args: string[], out: string, timeoutMs: number): Promise<{ code: number | null; ms: number; timedOut: boolean }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const file = createWriteStream(out);
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.on('data', (d: Buffer) => {
      process.stdout.write(d);
      file.write(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      process.stderr.write(d);
      file.write(d);
    });
    let timedOut = false;
    // A benchmark that overruns is ended with its whole process group (it may have started kubesvc).
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      file.end(() => resolve({ code, ms: Date.now() - started, timedOut }));
    });
  });
}

async function main(): Promise<void> {
  if (process.argv.includes('--list')) {
    for (const b of benches) console.log(`${b.name.padEnd(18)} ${b.what}${missing(b) ? `  [skipped here: ${missing(b)}]` : ''}`);
    return;
  }
  const only = flag('--only')?.split(',').filter(Boolean);
  const unknown = (only ?? []).filter((n) => !benches.some((b) => b.name === n));
  if (unknown.length) {
    console.error(`no benchmark named ${unknown.join(', ')}; see npm run bench -- --list`);
    process.exit(2);
  }
  const timeoutMinutes = Number(flag('--timeout-minutes') ?? 20);
  if (!(timeoutMinutes > 0)) {
    console.error('--timeout-minutes must be a positive number');
    process.exit(2);
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = join(here, '..', '..', 'bench', 'results', stamp);
  mkdirSync(dir, { recursive: true });
  const summary: Record<string, unknown>[] = [];
  const comparisons: (Comparison & { bench: string })[] = [];
  if (!process.argv.includes('--no-install')) installPeers(benches.filter((b) => !only || only.includes(b.name)));
  for (const b of benches) {
    if (only && !only.includes(b.name)) continue;
    const why = missing(b);
    if (why) {
      console.log(`\n== ${b.name}: skipped (${why})`);
      summary.push({ name: b.name, skipped: why });
      continue;
    }
    console.log(`\n== ${b.name}: ${b.what}`);
    const r = await runOne(join(here, `${b.name}.js`), b.args ?? [], join(dir, `${b.name}.txt`), timeoutMinutes * 60_000);
    console.log(`== ${b.name}: ${r.timedOut ? 'timed out' : r.code === 0 ? 'done' : `failed (exit ${r.code})`} in ${(r.ms / 1000).toFixed(1)} s`);
    summary.push({ name: b.name, exitCode: r.code, seconds: r.ms / 1000, timedOut: r.timedOut, output: `${b.name}.txt` });
    comparisons.push(...parseComparisons(readFileSync(join(dir, `${b.name}.txt`), 'utf8')).map((c) => ({ bench: b.name, ...c })));
  }
  writeFileSync(join(dir, 'summary.json'), JSON.stringify({ started: stamp, benchmarks: summary }, null, 2) + '\n');
  writeFileSync(join(dir, 'comparisons.json'), JSON.stringify(comparisons, null, 2) + '\n');
  const table = comparisonTable(comparisons);
  writeFileSync(join(dir, 'table.md'), `# npm run bench, ${stamp}\n\nkubesvc next to its peer in the same run (medians of interleaved rounds).\n\n${table}`);
  if (comparisons.length) console.log(`\n${table}`);
  console.log(`\nresults: ${dir}`);
  if (summary.some((s) => s.exitCode !== undefined && s.exitCode !== 0)) process.exitCode = 1;
}

void main();
