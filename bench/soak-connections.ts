// Soak (issue 10, item 8): 10,000 idle TCP connections and 1,000 watches against `kubesvc up`, then
// back to idle. Figures: kubesvc's RSS at rest, under load and after the clients left (target: back
// within 20 % of where it started), connections the server refused, and DNS answering other clients
// (UDP and TCP, once every 250 ms) throughout.
// Run: npm run build && node dist/bench/soak-connections.js [--idle N] [--watches N] [--settle-seconds S]
// Env: MALLOC_ARENA_MAX etc. are passed on to kubesvc (to compare allocator settings).
import { connect as netConnect, type Socket } from 'node:net';
import https from 'node:https';
import { readdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { startCluster, credentials, type Cluster } from '../test/e2e/harness.js';
import { query, tcp, udp, type Target } from '../test/dns/client.js';
import { numberArg } from './args.js';
import { rssMiB } from './proc-stats.js';

const IDLE = numberArg('idle', 10_000);
const WATCHES = numberArg('watches', 1_000);
const SETTLE_S = numberArg('settle-seconds', 40);
/** Client addresses the connections come from: under the server's per-client cap (4,096) each. */
const CLIENTS = 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** kubesvc's open file descriptors (its sockets, mostly). */
function fds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

/** Asks the cluster DNS a name over UDP and over TCP every 250 ms; counts answers and misses. */
function dnsProbe(at: Target): { stop: () => Promise<{ ok: number; failed: number; worstMs: number; worstAt: string; misses: string[] }> } {
  let ok = 0;
  let failed = 0;
  /** When each miss happened (UTC time, UDP or TCP), to set beside the phases and kubesvc's log. */
  const misses: string[] = [];
  let worstMs = 0;
  let worstAt = '';
  let running = true;
  const loop = (async () => {
    for (let i = 0; running && i < 100_000; i++) {
      for (const send of [udp, tcp]) {
        const t0 = Date.now();
        const r = await send(at, query('kubernetes.default.svc.cluster.local', 'A'), 2000);
        if (r) ok++;
        else {
          failed++;
          misses.push(`${new Date(t0).toISOString().slice(11, 23)} ${send === udp ? 'UDP' : 'TCP'}`);
        }
        if (Date.now() - t0 > worstMs) {
          worstMs = Date.now() - t0;
          worstAt = new Date(t0).toISOString().slice(11, 19);
        }
      }
      await sleep(250);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { ok, failed, worstMs, worstAt, misses };
    },
  };
}

async function openIdle(url: URL, n: number): Promise<Socket[]> {
  const out: Socket[] = [];
  for (let i = 0; i < n; i += 200) {
    const batch = Array.from({ length: Math.min(200, n - i) }, (_, j) =>
      new Promise<Socket | undefined>((resolve) => {
        const s = netConnect({ host: url.hostname, port: Number(url.port), localAddress: `127.0.1.${1 + ((i + j) % CLIENTS)}` });
        s.on('error', () => resolve(undefined));
        s.once('connect', () => resolve(s));
      }),
    );
    for (const s of await Promise.all(batch)) if (s) out.push(s);
  }
  return out;
}

async function openWatches(c: Cluster, n: number): Promise<{ reqs: import("node:http").ClientRequest[]; events: () => number; open: () => number }> {
  const cred = credentials(c.kubeconfig);
  const url = new URL(c.url);
  let events = 0;
  let open = 0;
  const reqs: import("node:http").ClientRequest[] = [];
  const agent = new https.Agent({ keepAlive: false, maxSockets: Infinity });
  for (let i = 0; i < n; i++) {
    const req = https.request({ host: url.hostname, port: url.port, path: '/api/v1/namespaces/default/services?watch=true', ...cred, agent, localAddress: `127.0.2.${1 + (i % CLIENTS)}` }, (res) => {
      if (res.statusCode !== 200) {
        if (i === 0) console.log(`watch answered ${res.statusCode}`);
        res.resume();
        return;
      }
      open++;
      res.on('data', (d: Buffer) => (events += d.toString().split('\n').length - 1));
      res.on('end', () => open--);
      res.on('error', () => undefined);
    });
    req.on('error', (e) => {
      if (i === 0) console.log(`watch failed: ${e.message}`);
    });
    req.end();
    reqs.push(req);
    if (i % 50 === 49) await sleep(20);
  }
  for (let i = 0; i < 100 && open < n; i++) await sleep(100);
  return { reqs, events: () => events, open: () => open };
}

async function main(): Promise<void> {
  // kubesvc says at debug level what each step of its memory release did (GCs, malloc_trim's cost).
  process.env.KUBESVC_DEBUG = '1';
  const c = await startCluster({ timeoutMs: 60_000 });
  const pid = c.proc.pid!;
  const served = /served from (\S+):(\d+)\)/.exec(c.stdout());
  const dnsAt: Target = { host: served![1]!, port: Number(served![2]) };
  const url = new URL(c.url);
  const row = (phase: string) => console.log(`${new Date().toISOString().slice(11, 19)} ${phase.padEnd(44)} RSS ${rssMiB(pid).toFixed(0).padStart(5)} MiB   open fds ${fds(pid)}`);
  try {
    await sleep(5_000);
    const rss0 = rssMiB(pid);
    row('at rest');
    const probe = dnsProbe(dnsAt);
    const t0 = Date.now();
    const w = await openWatches(c, WATCHES);
    row(`${w.open()} watches open (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    const t1 = Date.now();
    const idle = await openIdle(url, IDLE);
    row(`+ ${idle.length} idle connections (${((Date.now() - t1) / 1000).toFixed(1)} s)`);
    // Events to every watcher, so the watches do work while the idle sockets sit there.
    const cred = credentials(c.kubeconfig);
    for (let i = 0; i < 20; i++) {
      await new Promise<void>((resolve) => {
        const body = JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: `soak-${i}` }, spec: { ports: [{ port: 80 }] } });
        const req = https.request({ host: url.hostname, port: url.port, method: 'POST', path: '/api/v1/namespaces/default/services', ...cred, agent: false, headers: { 'Content-Type': 'application/json' } }, (res) => {
          res.resume();
          res.on('end', () => resolve());
        });
        req.on('error', () => resolve());
        req.end(body);
      });
    }
    await sleep(2_000);
    const peak = rssMiB(pid);
    row(`20 creates, ${w.events()} watch events delivered`);
    const stillOpen = idle.filter((s) => !s.destroyed && !s.readableEnded).length;
    await sleep(11_000);
    const afterTimeout = idle.filter((s) => !s.destroyed && !s.readableEnded).length;
    row(`idle after 11 s: ${afterTimeout} of ${stillOpen} still open`);
    for (const s of idle) s.destroy();
    for (const r of w.reqs) r.destroy();
    const t2 = Date.now();
    let rss = rssMiB(pid);
    // The whole settle time, not just until the target is met: the later releases (a second GC,
    // the trim) show in the final figure.
    let metAfterS: number | undefined = rss <= rss0 * 1.2 ? 0 : undefined;
    for (let i = 0; i < SETTLE_S; i++) {
      await sleep(1_000);
      rss = rssMiB(pid);
      if (metAfterS === undefined && rss <= rss0 * 1.2) {
        metAfterS = Math.round((Date.now() - t2) / 1000);
        row(`within 20 % of rest (${metAfterS} s after the clients left)`);
      }
    }
    row(`clients gone (${((Date.now() - t2) / 1000).toFixed(0)} s later)`);
    const dns = await probe.stop();
    for (const l of c.stderr().split('\n')) if (/ memory /.test(l)) console.log(l);
    console.log(`\nRSS at rest ${rss0.toFixed(0)} MiB, peak ${peak.toFixed(0)} MiB, after ${rss.toFixed(0)} MiB (${(((rss - rss0) / rss0) * 100).toFixed(0)} % over rest${metAfterS === undefined ? '' : `, within 20 % ${metAfterS} s after the clients left`}; target ≤ 20 %): ${rss <= rss0 * 1.2 ? 'PASS' : 'FAIL'}`);
    console.log(`DNS throughout: ${dns.ok} answered, ${dns.failed} unanswered, slowest ${dns.worstMs} ms (at ${dns.worstAt}): ${dns.failed === 0 ? 'PASS' : 'FAIL'}${dns.misses.length ? ` (missed at ${dns.misses.join(', ')})` : ''}`);
    console.log(`${new Date().toISOString()}; MALLOC_ARENA_MAX=${process.env.MALLOC_ARENA_MAX ?? '(unset)'}; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    await c.destroy();
  }
}

await main();
