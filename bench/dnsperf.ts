// dnsperf (Debian) as the DNS benchmarks run it, and the small helpers they share.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Undefined when every tool is installed, else what to install. */
export function missingTools(tools: string[]): string | undefined {
  const missing = tools.filter((t) => spawnSync('which', [t], { stdio: 'ignore' }).status !== 0);
  return missing.length ? `${missing.join(', ')} not installed: apt-get install -y ${missing.join(' ')}` : undefined;
}

export async function freePort(host: string): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, host, () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface Throughput {
  qps: number;
  avgMs: number;
  lost: number;
}

export interface Latency {
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

export async function throughput(host: string, port: number, file: string, seconds: number): Promise<Throughput> {
  const out = await run('dnsperf', args(host, port, file, seconds), join(dirname(file), 'dnsperf.out'));
  return {
    qps: Math.round(num(out, /Queries per second:\s+([\d.]+)/)),
    avgMs: Number((num(out, /Average Latency \(s\):\s+([\d.]+)/) * 1000).toFixed(3)),
    lost: num(out, /Queries lost:\s+(\d+)/),
  };
}

/** dnsperf has no percentiles, but in verbose mode it prints each reply's latency. */
export async function latency(host: string, port: number, file: string, seconds: number): Promise<Latency> {
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

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;


export interface Target {
  host: string;
  port: number;
}

/**
 * Warm every server up (JIT, answer caches), then run `rounds` interleaved rounds so a busy
 * machine weighs on every server alike (ratios are taken within a round), then a latency run each.
 */
export async function interleavedRounds<N extends string>(
  targets: Record<N, Target>,
  queries: string,
  seconds: number,
  rounds: number,
): Promise<{ rounds: Record<N, Throughput>[]; latency: Record<N, Latency> }> {
  const order = Object.keys(targets) as N[];
  for (const t of order) await throughput(targets[t].host, targets[t].port, queries, 1);
  const all: Record<N, Throughput>[] = [];
  for (let r = 0; r < rounds; r++) {
    const round = {} as Record<N, Throughput>;
    for (const t of order) round[t] = await throughput(targets[t].host, targets[t].port, queries, seconds);
    all.push(round);
  }
  const lat = {} as Record<N, Latency>;
  for (const t of order) lat[t] = await latency(targets[t].host, targets[t].port, queries, Math.max(2, Math.floor(seconds / 2)));
  return { rounds: all, latency: lat };
}

/**
 * dnsmasq serving the names of a hosts file from cache on 127.0.0.5 (a free port), with no
 * upstream: the peer both DNS benchmarks compare against. Ready half a second after it starts.
 */
export async function startDnsmasq(hostsFile: string): Promise<{ target: Target; stop(): void }> {
  const port = await freePort('127.0.0.5');
  const proc = spawn(
    'dnsmasq',
    ['--keep-in-foreground', '--no-resolv', '--no-hosts', `--addn-hosts=${hostsFile}`, '--listen-address=127.0.0.5', '--bind-interfaces', `--port=${port}`, '--pid-file=', '--local=/cluster.local/', '--cache-size=10000', '--dns-forward-max=1000'],
    { stdio: 'ignore' },
  );
  await new Promise((r) => setTimeout(r, 500));
  return { target: { host: '127.0.0.5', port }, stop: () => proc.kill('SIGTERM') };
}
