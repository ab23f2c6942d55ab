// Cluster DNS throughput and latency: dnsperf (Debian) against kubesvc's DNS server and, in
// the same run, against dnsmasq (Debian) serving the same names from a hosts file. The target
// (issue 5) is at least 0.5x dnsmasq's queries/s.
// Run: npm run build && node dist/bench/dns.js [--seconds N]
// Needs: apt-get install -y dnsperf dnsmasq
import { reportComparison } from './report.js';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Service } from '../src/api/core.js';
import type { EndpointSlice } from '../src/api/discovery.js';
import { startDNSWithIndex } from '../src/dns/index.js';
import { staticIndex } from '../src/dns/memory-index.js';
import { interleavedRounds, median, missingTools, startDnsmasq } from './dnsperf.js';
import { createSocket, type Socket } from 'node:dgram';
import { numberArg } from './args.js';

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

/**
 * The runtime's floor: a Node UDP socket that answers each query with its own bytes, QR set, no
 * lookup and no encoding (the least any Node DNS server can do per packet), on the same event
 * loop conditions as the kubesvc server. What separates it from dnsmasq is Node's dgram path.
 */
async function startEcho(host: string): Promise<{ target: { host: string; port: number }; socket: Socket }> {
  // A literal address: no dns.lookup tick per send (as the DNS server's sockets).
  const socket = createSocket({ type: 'udp4', lookup: (h, _o, cb) => cb(null, h, 4) });
  socket.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    const out = Buffer.allocUnsafe(msg.length);
    msg.copy(out);
    out[2] = out[2]! | 0x80;
    socket.send(out, rinfo.port, rinfo.address);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((res) => socket.bind(0, host, () => res()));
  return { target: { host, port: socket.address().port }, socket };
}

async function main(): Promise<void> {
  const seconds = numberArg('seconds', 10);
  const missing = missingTools(['dnsperf', 'dnsmasq']);
  if (missing) {
    console.error(missing);
    process.exit(2);
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

  const echo = await startEcho('127.0.0.8');
  const dnsmasq = await startDnsmasq(hosts);
  try {
    const targets = {
      kubesvc: { host: kube.host, port: kube.port },
      dnsmasq: dnsmasq.target,
      kubesvcWithoutAnswerCache: cold.addresses[0]!,
      kubesvcUnderChurn: churned.addresses[0]!,
      nodeUdpEcho: echo.target,
    };
    type Name = keyof typeof targets;
    const { rounds, latency: lat } = await interleavedRounds(targets, queries, seconds, ROUNDS);
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
      nodeUdpEcho: summary('nodeUdpEcho'),
      ratioMedian: Number(median(rounds.map((r) => r.kubesvc.qps / r.dnsmasq.qps)).toFixed(2)),
      ratioNodeUdpEchoMedian: Number(median(rounds.map((r) => r.nodeUdpEcho.qps / r.dnsmasq.qps)).toFixed(2)),
      ratioToNodeUdpEchoMedian: Number(median(rounds.map((r) => r.kubesvc.qps / r.nodeUdpEcho.qps)).toFixed(2)),
      ratioWithoutAnswerCacheMedian: Number(median(rounds.map((r) => r.kubesvcWithoutAnswerCache.qps / r.dnsmasq.qps)).toFixed(2)),
      target: '>= 0.5x dnsmasq queries/s',
    };
    console.log(JSON.stringify(report, null, 2));
    reportComparison({ figure: 'the DNS server alone, queries/s', unit: 'q/s', kubesvc: report.kubesvc.qpsMedian, peer: 'dnsmasq', peerValue: report.dnsmasq.qpsMedian, higherIsBetter: true, goal: '≥ 1.0×' });
    reportComparison({ figure: 'the DNS server alone, queries/s', unit: 'q/s', kubesvc: report.kubesvc.qpsMedian, peer: 'a Node UDP echo (the runtime floor)', peerValue: report.nodeUdpEcho.qpsMedian, higherIsBetter: true });
  } finally {
    dnsmasq.stop();
    echo.socket.close();
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
