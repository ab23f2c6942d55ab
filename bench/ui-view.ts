// The live view under load: 500 Services, each with an EndpointSlice of 4 endpoints (2,000 pods'
// worth), the slices' endpoints flipping ready/not ready 10 times a second, watched by the page in
// headless Chromium. Reports the page's frame intervals and long tasks while it churns, how soon a
// change shows, and the kubesvc process's memory with 1 and with 10 views open.
// The endpoints point at pods that do not exist: 2,000 real pods would be 2,000 processes on a
// 2-core machine, and the page draws endpoints from the EndpointSlices either way.
// Run: npm run build && node dist/bench/ui-view.js [--services 500] [--seconds 20] [--views 10] [--replace-every N]
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { startCluster, kubesvcBin, request, type Cluster } from '../test/e2e/harness.js';
import { numberArg } from './args.js';
import { chromiumMissing, clusterContext, launchChromium } from '../test/support/chromium.js';

// These run inside the page (page.evaluate / waitForFunction); the project compiles without the DOM lib.
declare const document: any;
declare const window: any;
declare function requestAnimationFrame(cb: (t: number) => void): number;

const services = Math.min(numberArg('services', 500), 2000);
const seconds = Math.min(numberArg('seconds', 20), 120);
const views = Math.min(numberArg('views', 10), 20);
/** --replace-every N: every Nth change also gives the slice's endpoints new pod names (pods replaced), which makes the map lay itself out again. 0: never. */
const replaceEvery = numberArg('replace-every', 0);
const ns = 'ui-bench';

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function slice(i: number, flip: number, generation = 0) {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: `svc-${i}-x`, namespace: ns, labels: { 'kubernetes.io/service-name': `svc-${i}` } },
    addressType: 'IPv4',
    ports: [{ name: '', port: 8080, protocol: 'TCP' }],
    endpoints: [0, 1, 2, 3].map((j) => ({
      addresses: [`10.${(i >> 6) & 255}.${((i & 63) << 2) | j}.${1 + j}`],
      conditions: { ready: (flip + j) % 4 !== 0 },
      nodeName: 'vm',
      targetRef: { kind: 'Pod', namespace: ns, name: generation ? `pod-${i}-${j}-g${generation}` : `pod-${i}-${j}` },
    })),
  };
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) {
    console.log(`skipped: ${missing}`);
    return;
  }
  const c: Cluster = await startCluster();
  try {
    await request(c, 'POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: ns } }));
    const idx = Array.from({ length: services }, (_, i) => i);
    const t0 = Date.now();
    await pool(idx, 8, async (i) => {
      const r = await request(c, 'POST', `/api/v1/namespaces/${ns}/services`, JSON.stringify({ metadata: { name: `svc-${i}` }, spec: { ports: [{ port: 8080 }] } }));
      if (r.status !== 201) throw new Error(`service ${i}: ${r.status} ${r.body}`);
      const s = await request(c, 'POST', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, JSON.stringify(slice(i, 0)));
      if (s.status !== 201) throw new Error(`slice ${i}: ${s.status} ${s.body}`);
    });
    console.log(`created ${services} Services and EndpointSlices (${services * 4} endpoints) in ${Date.now() - t0} ms`);
    const rssBefore = rssMiB(c.proc.pid!);
    const link = () => spawnSync(kubesvcBin, ['ui', '--data-dir', c.dataDir], { encoding: 'utf8' }).stdout.trim();
    const browser = await launchChromium();
    try {
      const ctx = await clusterContext(browser, { width: 1400, height: 900 });
      const page = await ctx.newPage();
      const tOpen = Date.now();
      await page.goto(link());
      // The whole map: every Service, slice and endpoint's pod box (the kinds' lists arrive apart, and
      // each arrival that adds boxes is a relayout, which must not fall into the churn measured below).
      await page.waitForFunction(
        (n) => document.querySelectorAll('.n.Service').length >= n && document.querySelectorAll('.n.EndpointSlice').length >= n && document.querySelectorAll('.n.Pod').length >= 4 * n,
        services,
        { timeout: 120_000, polling: 200 },
      );
      console.log(`first full map (${services} Services, ${services * 4} endpoints) drawn ${Date.now() - tOpen} ms after opening the link`);
      await page.waitForTimeout(1000);
      // Frame intervals and long tasks while the endpoints churn.
      await page.evaluate(() => {
        const w = window as any;
        w.__frames = [];
        w.__kubesvcDrawMs.length = 0;
        w.__layoutsBefore = w.__kubesvcLayouts ?? 0;
        w.__long = [];
        new PerformanceObserver((l) => { for (const e of l.getEntries()) w.__long.push(e.duration); }).observe({ type: 'longtask', buffered: false } as any);
        let last = performance.now();
        const tick = (t: number) => { w.__frames.push(t - last); last = t; if (!w.__stop) requestAnimationFrame(tick); };
        requestAnimationFrame(tick);
      });
      const end = Date.now() + seconds * 1000;
      let flip = 1;
      let updates = 0;
      const lags: number[] = [];
      while (Date.now() < end) {
        const tick = Date.now();
        const i = (flip * 37) % services;
        const put = await request(c, 'GET', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices/svc-${i}-x`);
        const generation = replaceEvery > 0 && flip % replaceEvery === 0 ? flip : 0;
        const obj = { ...slice(i, flip, generation), metadata: { ...slice(i, flip).metadata, resourceVersion: put.json().metadata.resourceVersion } };
        await request(c, 'PUT', `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices/svc-${i}-x`, JSON.stringify(obj));
        updates++;
        // Every 10th change: how long until the page shows it.
        if (flip % 10 === 0) {
          const ready = obj.endpoints.filter((e) => e.conditions.ready).length;
          const t1 = Date.now();
          await page.waitForFunction(([name, text]) => [...document.querySelectorAll('.n.EndpointSlice')].some((g: any) => g.getAttribute('data-name') === name && g.textContent!.includes(text!)), [`svc-${i}-x`, `${ready}/4 ready`], { timeout: 10_000, polling: 'raf' });
          lags.push(Date.now() - t1);
        }
        flip++;
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tick))));
      }
      const { frames, long, draws, layouts } = await page.evaluate(() => { const w = window as any; w.__stop = true; return { frames: w.__frames as number[], long: w.__long as number[], draws: [...w.__kubesvcDrawMs] as number[], layouts: (w.__kubesvcLayouts ?? 0) - w.__layoutsBefore}; });
      const sorted = [...frames].sort((a, b) => a - b);
      const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!.toFixed(1);
      lags.sort((a, b) => a - b);
      draws.sort((a, b) => a - b);
      console.log(`redraws: ${draws.length}, main-thread time p50 ${draws[draws.length >> 1]?.toFixed(1)} ms, p95 ${draws[Math.floor(draws.length * 0.95)]?.toFixed(1)} ms, max ${draws.at(-1)?.toFixed(1)} ms`);
      console.log(`churn: ${updates} EndpointSlice updates in ${seconds} s (${(updates / seconds).toFixed(1)}/s); layouts during it: ${layouts}`);
      console.log(`frames: ${frames.length}, interval p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, p99 ${q(0.99)} ms, max ${sorted.at(-1)!.toFixed(1)} ms; frames over 50 ms: ${frames.filter((f) => f > 50).length}`);
      console.log(`long tasks (>50 ms): ${long.length}, longest ${long.length ? Math.max(...long).toFixed(0) : 0} ms`);
      console.log(`change → on the page: median ${lags[lags.length >> 1]} ms, max ${lags.at(-1)} ms (${lags.length} samples)`);
      const rssOne = rssMiB(c.proc.pid!);
      const more = [];
      for (let v = 1; v < views; v++) {
        const p = await (await clusterContext(browser)).newPage();
        await p.goto(link());
        await p.waitForFunction((n) => document.querySelectorAll('.n.Service').length >= n, services, { timeout: 120_000, polling: 500 });
        more.push(p);
      }
      await new Promise((r) => setTimeout(r, 2000));
      console.log(`kubesvc process RSS: ${rssBefore.toFixed(0)} MiB before any view, ${rssOne.toFixed(0)} MiB with 1 view, ${rssMiB(c.proc.pid!).toFixed(0)} MiB with ${views} views open`);
    } finally {
      await browser.close();
    }
  } finally {
    await c.destroy();
  }
}

await main();
