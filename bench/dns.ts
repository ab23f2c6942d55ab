// Cluster DNS throughput and latency: dnsperf (Debian) against kubesvc's DNS server and, in
// the same run, against dnsmasq (Debian) serving the same names from a hosts file. The target
// (issue 5) is at least 0.5x dnsmasq's queries/s.
// Run: npm run build && node dist/bench/dns.js [--seconds N]
// Needs: apt-get install -y dnsperf dnsmasq
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Service } from '../src/api/core.js';
import type { EndpointSlice } from '../src/api/discovery.js';
import { startDNSWithIndex } from '../src/dns/index.js';
import { staticIndex } from '../src/dns/memory-index.js';

const NAMESPACES = 10;
const SERVICES_PER_NS = 100;
const HEADLESS = 100;
const ENDPOINTS = 3;
const ROUNDS = 3;

interface Name {
  name: string;
  ips: string[];
}

function cluster(): { services: Service[]; slices: EndpointSlice[]; names: Name[] } {
  const services: Service[] = [];
  const slices: EndpointSlice[] = [];
  const names: Name[] = [];
  let n = 0;
  for (let ns = 0; ns < NAMESPACES; ns++) {
    for (let i = 0; i < SERVICES_PER_NS; i++, n++) {
      const ip = `127.96.${10 + (n >> 8)}.${n & 255}`;
      const name = `svc-${i}`;
      services.push({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: `ns-${ns}`, name }, spec: { clusterIP: ip, clusterIPs: [ip], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
      names.push({ name: `${name}.ns-${ns}.svc.cluster.local`, ips: [ip] });
    }
  }
  for (let h = 0; h < HEADLESS; h++) {
    const ips = Array.from({ length: ENDPOINTS }, (_, e) => `127.244.${h >> 6}.${((h & 63) << 2) + e + 1}`);
    services.push({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns-0', name: `db-${h}` }, spec: { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] } });
    slices.push({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { namespace: 'ns-0', name: `db-${h}-x`, labels: { 'kubernetes.io/service-name': `db-${h}` } },
      addressType: 'IPv4',
      endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
    });
    names.push({ name: `db-${h}.ns-0.svc.cluster.local`, ips });
  }
  return { services, slices, names };
}

async function freePort(host: string): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, host, () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Throughput {
  qps: number;
  avgMs: number;
  lost: number;
}

interface Latency {
  p50Ms: number;
  p99Ms: number;
  samples: number;
}

/**
 * Output goes to a file, not a pipe: the server under test runs in this process, and reading
 * megabytes of verbose dnsperf output here would steal its event loop.
 */
function run(cmd: string, args: string[], outFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const fd = openSync(outFile, 'w');
    const p = spawn(cmd, args, { stdio: ['ignore', fd, fd] });
    p.on('error', (e) => {
      closeSync(fd);
      reject(e);
    });
    p.on('close', () => {
      closeSync(fd);
      resolve(readFileSync(outFile, 'utf8'));
    });
  });
}

const num = (out: string, re: RegExp) => Number(out.match(re)?.[1] ?? NaN);
const args = (host: string, port: number, file: string, seconds: number) => ['-s', host, '-p', String(port), '-d', file, '-c', '4', '-T', '1', '-q', '100', '-t', '2', '-l', String(seconds)];

async function throughput(host: string, port: number, file: string, seconds: number): Promise<Throughput> {
  const out = await run('dnsperf', args(host, port, file, seconds), join(dirname(file), 'dnsperf.out'));
  return {
    qps: Math.round(num(out, /Queries per second:\s+([\d.]+)/)),
    avgMs: Number((num(out, /Average Latency \(s\):\s+([\d.]+)/) * 1000).toFixed(3)),
    lost: num(out, /Queries lost:\s+(\d+)/),
  };
}

/** dnsperf has no percentiles, but in verbose mode it prints each reply's latency. */
async function latency(host: string, port: number, file: string, seconds: number): Promise<Latency> {
  const out = await run('dnsperf', [...args(host, port, file, seconds), '-v'], join(dirname(file), 'dnsperf.out'));
  const lat: number[] = [];
  for (const line of out.split('\n')) {
    const m = line.match(/^> \S+ .* ([\d.]+)$/);
    if (m) lat.push(Number(m[1]) * 1000);
  }
  lat.sort((a, b) => a - b);
  const pct = (p: number) => (lat.length ? Number(lat[Math.min(lat.length - 1, Math.floor(lat.length * p))]!.toFixed(3)) : NaN);
  return { p50Ms: pct(0.5), p99Ms: pct(0.99), samples: lat.length };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const secIdx = process.argv.indexOf('--seconds');
  const seconds = secIdx > 0 ? Number(process.argv[secIdx + 1]) : 10;
  for (const tool of ['dnsperf', 'dnsmasq']) {
    if (spawnSync('which', [tool], { stdio: 'ignore' }).status !== 0) {
      console.error(`${tool} is not installed: apt-get install -y dnsperf dnsmasq`);
      process.exit(2);
    }
  }
  const { services, slices, names } = cluster();
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-dnsbench-'));
  // dnsmasq drops privileges to nobody before it reads the hosts file.
  chmodSync(dir, 0o755);
  const queries = join(dir, 'queries.txt');
  const hosts = join(dir, 'hosts');
  writeFileSync(queries, names.map((n) => `${n.name} A`).join('\n') + '\n');
  writeFileSync(hosts, names.flatMap((n) => n.ips.map((ip) => `${ip} ${n.name}`)).join('\n') + '\n');

  const dns = await startDNSWithIndex(staticIndex({ services, endpointSlices: slices }), { listen: [{ host: '127.0.0.4', port: 0 }], upstreams: [] });
  const kube = dns.addresses[0]!;
  // The same server without replayed answers: every query parsed, looked up and encoded, which
  // is what each query costs right after a change to the cluster.
  const cold = await startDNSWithIndex(staticIndex({ services, endpointSlices: slices }), { listen: [{ host: '127.0.0.6', port: 0 }], upstreams: [], answerCache: false });
  // The same server while the cluster changes: one of the queried Services is rewritten every
  // 10 ms (100 changes/s, like a busy cluster's endpoint churn), in this event loop as informer
  // events would be.
  const churnIndex = staticIndex({ services, endpointSlices: slices });
  const churned = await startDNSWithIndex(churnIndex, { listen: [{ host: '127.0.0.7', port: 0 }], upstreams: [] });
  let flip = 0;
  const churn = setInterval(() => {
    const ip = `127.96.200.${(flip++ % 2) + 1}`;
    churnIndex.upsertService({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'ns-0', name: 'svc-0' }, spec: { clusterIP: ip, clusterIPs: [ip], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
  }, 10);

  const mport = await freePort('127.0.0.5');
  const dnsmasq = spawn(
    'dnsmasq',
    ['--keep-in-foreground', '--no-resolv', '--no-hosts', `--addn-hosts=${hosts}`, '--listen-address=127.0.0.5', '--bind-interfaces', `--port=${mport}`, '--pid-file=', '--local=/cluster.local/', '--cache-size=10000', '--dns-forward-max=1000'],
    { stdio: 'ignore' },
  );
  try {
    await new Promise((r) => setTimeout(r, 500));
    const targets = {
      kubesvc: { host: kube.host, port: kube.port },
      dnsmasq: { host: '127.0.0.5', port: mport },
      kubesvcWithoutAnswerCache: cold.addresses[0]!,
      kubesvcUnderChurn: churned.addresses[0]!,
    };
    type Name = keyof typeof targets;
    const order = Object.keys(targets) as Name[];
    // Warm up (JIT, answer cache, dnsmasq's cache), then interleave rounds so a busy machine
    // weighs on every server alike; ratios are taken within a round.
    for (const t of order) await throughput(targets[t].host, targets[t].port, queries, 1);
    const rounds: Record<Name, Throughput>[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const round = {} as Record<Name, Throughput>;
      for (const t of order) round[t] = await throughput(targets[t].host, targets[t].port, queries, seconds);
      rounds.push(round);
    }
    const lat = {} as Record<Name, Latency>;
    for (const t of order) lat[t] = await latency(targets[t].host, targets[t].port, queries, Math.max(2, Math.floor(seconds / 2)));
    const summary = (t: Name) => ({ qpsMedian: median(rounds.map((r) => r[t].qps)), qps: rounds.map((r) => r[t].qps), avgMsMedian: median(rounds.map((r) => r[t].avgMs)), ...lat[t] });
    const report = {
      names: names.length,
      secondsPerRun: seconds,
      rounds: ROUNDS,
      loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
      cpus: cpus().length,
      kubesvc: summary('kubesvc'),
      dnsmasq: summary('dnsmasq'),
      kubesvcWithoutAnswerCache: summary('kubesvcWithoutAnswerCache'),
      kubesvcUnderChurn: { ...summary('kubesvcUnderChurn'), changesApplied: flip },
      ratioMedian: Number(median(rounds.map((r) => r.kubesvc.qps / r.dnsmasq.qps)).toFixed(2)),
      ratioWithoutAnswerCacheMedian: Number(median(rounds.map((r) => r.kubesvcWithoutAnswerCache.qps / r.dnsmasq.qps)).toFixed(2)),
      target: '>= 0.5x dnsmasq queries/s',
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    dnsmasq.kill('SIGTERM');
    await dns.stop();
    await cold.stop();
    clearInterval(churn);
    await churned.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
