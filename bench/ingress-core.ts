// The routing core alone, without a cluster: the data plane's FrontEnd (raw HTTP/1.1 fast path,
// Node's http server behind it for the rest) with a fixed route to three backends
// (bench/proxy-backends.js, in their own process), against nginx (one worker, keep-alive
// upstreams) on the same backends, with wrk -t1 -c32, keep-alive and a new connection per request.
// What it isolates: the proxy's own cost, with no access log, metrics, kube-proxy or agent.
// Run: npm run build && node dist/bench/ingress-core.js [seconds per run, default 5]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNginxProxy } from './nginx-proxy.js';
import { reportComparison } from './report.js';
import { runWrk, type LoadResult } from './wrk.js';

const seconds = Number(process.argv[2] ?? 5);
const here = fileURLToPath(new URL('.', import.meta.url));
const backendIPs = ['127.0.0.71', '127.0.0.72', '127.0.0.73'];

function start(cmd: string, args: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
    p.stdout!.on('data', (d) => {
      if (String(d).includes('ready')) resolve(p);
    });
    p.on('error', reject);
  });
}

async function main(): Promise<void> {
  for (const tool of ['wrk', 'nginx']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return void console.log(`${tool} is not installed (Debian: wrk, nginx-light): skipped`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-bench-core-'));
  const children: ChildProcess[] = [];
  try {
    children.push(await start(process.execPath, [join(here, 'proxy-backends.js'), '8080', ...backendIPs]));
    children.push(await start(process.execPath, [join(here, 'ingress-core-proxy.js'), '127.0.0.70', '18090', ...backendIPs.map((ip) => `${ip}:8080`)]));
    const nginx = startNginxProxy(dir, '127.0.0.70:18091', backendIPs.map((ip) => `${ip}:8080`));
    children.push(nginx);
    await new Promise((r) => setTimeout(r, 500));
    for (const newConnection of [false, true]) {
      const got: LoadResult[] = [];
      for (const [name, url] of [['kubesvc routing core', 'http://127.0.0.70:18090/'], ['nginx', 'http://127.0.0.70:18091/']] as const) {
        const r = await runWrk(url, { seconds, newConnection, headers: ['Host: bench.example'] });
        got.push(r);
        console.log(`${newConnection ? 'new connection' : 'keep-alive'}: ${name}: ${r.rps.toFixed(0)} req/s, p50 ${r.p50ms.toFixed(2)} ms, p99 ${r.p99ms.toFixed(2)} ms, errors ${r.errors}`);
      }
      reportComparison({ figure: `routing core alone, ${newConnection ? 'new connection per request' : 'keep-alive'}, requests/s`, unit: 'req/s', kubesvc: got[0]!.rps, peer: 'nginx', peerValue: got[1]!.rps, higherIsBetter: true });
    }
  } finally {
    for (const c of children) c.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
