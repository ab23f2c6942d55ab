// Cluster DNS as a pod meets it: dnsperf against the kube-dns ClusterIP of a real `kubesvc up`
// (loopback mode), against the DNS server's own endpoint address, and against dnsmasq serving the
// same names from a hosts file, in interleaved rounds. 200 Services; a fifth of the queries are
// for names that do not exist (NXDOMAIN), as a pod's search-path expansion produces.
// Run: npm run build && node dist/bench/dns-cluster.js [--seconds N] [--services N]
// Needs: root (port 53), apt-get install -y dnsperf dnsmasq
import { reportComparison } from './report.js';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectlOk, startCluster } from '../test/e2e/harness.js';
import { interleavedRounds, median, missingTools, startDnsmasq } from './dnsperf.js';
import { numberArg } from './args.js';

const seconds = numberArg('seconds', 10);
const services = numberArg('services', 200);
const ROUNDS = 3;

async function main(): Promise<void> {
  const missing = missingTools(['dnsperf', 'dnsmasq']);
  if (missing) {
    console.error(missing);
    process.exit(2);
  }
  if (process.getuid?.() !== 0) {
    console.error('needs root: the cluster DNS listens on port 53');
    process.exit(2);
  }
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-dnsclusterbench-'));
  chmodSync(dir, 0o755); // dnsmasq reads the hosts file as nobody
  const c = await startCluster();
  let dnsmasq: Awaited<ReturnType<typeof startDnsmasq>> | undefined;
  try {
    const manifest = Array.from({ length: services }, (_, i) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80 }] } }),
    ).join('\n');
    writeFileSync(join(dir, 'services.json'), manifest);
    kubectlOk(c, ['apply', '-f', join(dir, 'services.json')]);
    const list = JSON.parse(kubectlOk(c, ['get', 'svc', '-n', 'default', '-o', 'json'])) as { items: { metadata: { name: string }; spec: { clusterIP: string } }[] };
    const names = list.items.filter((s) => s.metadata.name.startsWith('svc-')).map((s) => ({ name: `${s.metadata.name}.default.svc.cluster.local`, ip: s.spec.clusterIP }));
    const clusterIP = JSON.parse(kubectlOk(c, ['get', 'svc', 'kube-dns', '-n', 'kube-system', '-o', 'json'])).spec.clusterIP as string;
    const ep = JSON.parse(kubectlOk(c, ['get', 'endpoints', 'kube-dns', '-n', 'kube-system', '-o', 'json']));
    const endpoint = { host: ep.subsets[0].addresses[0].ip as string, port: ep.subsets[0].ports[0].port as number };
    // Four names that exist for every one that does not.
    const queries = join(dir, 'queries.txt');
    const lines = names.flatMap((n, i) => [`${n.name} A`, ...(i % 4 === 0 ? [`missing-${i}.default.svc.cluster.local A`] : [])]);
    writeFileSync(queries, lines.join('\n') + '\n');
    const hosts = join(dir, 'hosts');
    writeFileSync(hosts, names.map((n) => `${n.ip} ${n.name}`).join('\n') + '\n');
    dnsmasq = await startDnsmasq(hosts);
    const targets = {
      clusterIP: { host: clusterIP, port: 53 },
      endpoint,
      dnsmasq: dnsmasq.target,
    };
    type Name = keyof typeof targets;
    const { rounds, latency: lat } = await interleavedRounds(targets, queries, seconds, ROUNDS);
    const summary = (t: Name) => ({ target: `${targets[t].host}:${targets[t].port}`, qpsMedian: median(rounds.map((r) => r[t].qps)), qps: rounds.map((r) => r[t].qps), lost: rounds.map((r) => r[t].lost), ...lat[t] });
    const ratio = (t: Name) => Number(median(rounds.map((r) => r[t].qps / r.dnsmasq.qps)).toFixed(2));
    console.log(
      JSON.stringify(
        {
          services: names.length,
          queries: lines.length,
          secondsPerRun: seconds,
          rounds: ROUNDS,
          loadAverage: loadavg().map((x) => Number(x.toFixed(2))),
          cpus: cpus().length,
          clusterIP: summary('clusterIP'),
          endpoint: summary('endpoint'),
          dnsmasq: summary('dnsmasq'),
          ratioClusterIPMedian: ratio('clusterIP'),
          ratioEndpointMedian: ratio('endpoint'),
          goals: 'through the ClusterIP >= 0.8x dnsmasq; the server alone >= 1.0x (issue 15)',
        },
        null,
        2,
      ),
    );
    reportComparison({ figure: 'DNS through the kube-dns ClusterIP, queries/s', unit: 'q/s', kubesvc: summary('clusterIP').qpsMedian, peer: 'dnsmasq', peerValue: summary('dnsmasq').qpsMedian, higherIsBetter: true, goal: '≥ 0.8×' });
    reportComparison({ figure: 'DNS at its endpoint address, queries/s', unit: 'q/s', kubesvc: summary('endpoint').qpsMedian, peer: 'dnsmasq', peerValue: summary('dnsmasq').qpsMedian, higherIsBetter: true, goal: '≥ 1.0×' });
  } finally {
    dnsmasq?.stop();
    await c.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
