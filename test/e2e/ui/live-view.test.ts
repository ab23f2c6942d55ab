// The live view (/ui/) as a user meets it: `kubesvc up` prints its address, `kubesvc ui` prints a
// login link, the page in a real headless Chromium shows the seed's Deployment of 3 behind its
// Service and follows a deleted pod within a second. Hostile requests to the page's paths first.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startCluster, kubectl, kubectlOk, kubesvcBin, request, credentials, root, until, type Cluster } from '../harness.js';
import { chromiumMissing, clusterContext, launchChromium } from '../../support/chromium.js';
import { backend } from './seed.js';
import { gatewayAndRoute } from '../ingress-fixtures.js';

const artifacts = join(root, 'test-artifacts', 'ui');

/** A request with the path sent exactly as written (no URL normalisation of `..`). */
function raw(c: Cluster, method: string, path: string, body?: Buffer): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const u = new URL(c.url);
  return new Promise((resolve, reject) => {
    const req = https.request({ host: u.hostname, port: u.port, method, path, ca: credentials(c.kubeconfig).ca }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}


describe('the live view', () => {
  let c: Cluster;
  before(async () => {
    // With the ingress controller: the traffic test sends requests through it.
    c = await startCluster({ ingress: true });
  });
  after(async () => {
    await c?.destroy();
  });

  it('is announced by up and serves its page without cluster data', async () => {
    assert.match(c.stdout(), new RegExp(`live view\\s+${c.url.replace(/[.]/g, '\\.')}/ui/`));
    const page = await raw(c, 'GET', '/ui/');
    assert.equal(page.status, 200);
    assert.match(page.body, /kubesvc live view/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    const js = await raw(c, 'GET', '/ui/app.js');
    assert.equal(js.status, 200);
    assert.match(String(js.headers['content-type']), /javascript/);
    assert.equal((await raw(c, 'GET', '/ui')).status, 301);
  });

  it('refuses hostile requests: odd paths, other methods, huge bodies, no or bad credentials', async () => {
    for (const p of ['/ui/../api/v1/secrets', '/ui/%2e%2e/api/v1/secrets', '/ui/..%2fkubeconfig.yaml', '/ui/../../etc/passwd', '/ui/app.js/../../x', '/ui/index.html%00', '/ui//etc/passwd', `/ui/${'a'.repeat(8000)}`]) {
      const r = await raw(c, 'GET', p);
      assert.ok(r.status === 404 || r.status === 403 || r.status === 400 || r.status === 414 || r.status === 431, `${p.slice(0, 40)}: ${r.status}`);
      assert.doesNotMatch(r.body, /root:|"kind":"SecretList"|client-key-data/);
    }
    assert.equal((await raw(c, 'POST', '/ui/', Buffer.alloc(4 << 20, 'x'))).status, 405);
    assert.equal((await raw(c, 'DELETE', '/ui/app.js')).status, 405);
    // The data itself needs credentials: anonymous is forbidden, a forged token unauthorized.
    assert.equal((await request(c, 'GET', '/api/v1/pods', undefined, { anonymous: true })).status, 403);
    const forged = await request(c, 'GET', '/api/v1/pods', undefined, { anonymous: true, headers: { Authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' } });
    assert.equal(forged.status, 401);
    // The page still answers after all that.
    assert.equal((await raw(c, 'GET', '/ui/')).status, 200);
  });

  it('kubesvc ui prints a login link whose token may read the view\'s objects and nothing else', async () => {
    const r = spawnSync(kubesvcBin, ['ui', '--data-dir', c.dataDir], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const link = new URL(r.stdout.trim());
    assert.equal(link.origin + link.pathname, `${c.url}/ui/`);
    const token = new URLSearchParams(link.hash.slice(1)).get('token')!;
    const as = (path: string) => request(c, 'GET', path, undefined, { anonymous: true, headers: { Authorization: `Bearer ${token}` } });
    assert.equal((await as('/api/v1/pods')).status, 200);
    assert.equal((await as('/apis/discovery.k8s.io/v1/endpointslices')).status, 200);
    assert.equal((await as('/apis/networking.k8s.io/v1/ingresses')).status, 200);
    assert.equal((await as('/api/v1/secrets')).status, 403);
    // The traffic figures the page shows: allowed for this token, JSON, and only for GET.
    const traffic = await as('/ui/api/traffic');
    assert.equal(traffic.status, 200);
    const sample = traffic.json();
    assert.equal(sample.kind, 'TrafficSample');
    assert.ok(sample.nodes.length >= 1);
    assert.deepEqual(sample.nodes.map((n: any) => n.error ?? 'ok'), sample.nodes.map(() => 'ok'));
  });

  it('refuses /ui/api/traffic to anonymous callers and to other methods', async () => {
    assert.equal((await request(c, 'GET', '/ui/api/traffic', undefined, { anonymous: true })).status, 403);
    assert.equal((await request(c, 'POST', '/ui/api/traffic', '{"a":1}')).status, 405);
    assert.equal((await request(c, 'GET', '/ui/api/traffic?x=%zz&watch=maybe')).status, 200);
    // Odd spellings of the path are not it (and the page's own table has no such file).
    for (const p of ['/ui/api/../api/traffic', '/ui/api/traffic/', '/ui/api//traffic', '/ui/api/%74raffic']) assert.notEqual((await raw(c, 'GET', p)).status, 200, p);
  });

  it('in Chromium: logs in, shows 3 ready endpoints, follows a deleted pod within 1 s', async (t) => {
    const missing = chromiumMissing();
    if (missing) {
      t.skip(missing);
      return;
    }
    mkdirSync(artifacts, { recursive: true });
    kubectlOk(c, ['apply', '-f', '-'], backend);
    const link = spawnSync(kubesvcBin, ['ui', '--data-dir', c.dataDir], { encoding: 'utf8' }).stdout.trim();
    const browser = await launchChromium();
    try {
      const ctx = await clusterContext(browser);
      const page = await ctx.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      // Without a token: the login form, and a wrong token is refused.
      await page.goto(`${c.url}/ui/`);
      await page.fill('#token', 'not-a-token');
      await page.click('button[type=submit]');
      await page.waitForSelector('#loginError:has-text("401")');
      await page.screenshot({ path: join(artifacts, '0-login.png') });
      // The link logs in, and the token leaves the address bar.
      await page.goto(link);
      const readyPods = () => page.locator('.n.Pod[data-state=ready]');
      await until('3 ready pods on the map', () => readyPods().count(), (n) => n === 3, 30_000);
      assert.ok(!page.url().includes('token='));
      await page.waitForSelector('.n.EndpointSlice:has-text("3/3 ready")');
      await page.locator('.n.Service[data-name=my-service]').focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('#timeline:has-text("3 ready of 3 endpoints")');
      await page.screenshot({ path: join(artifacts, '1-three-ready.png') });
      // Each pod's CPU and memory, as `kubectl top pod` has them (metrics.k8s.io, renewed every 15 s).
      await until('usage on every ready pod', () => readyPods().allTextContents(), (ts) => ts.length === 3 && ts.every((x) => /cpu \d+m mem [1-9]\d*Mi/.test(x)), 40_000);

      const before = await readyPods().evaluateAll((gs) => gs.map((g) => g.getAttribute("data-name")!));
      const victim = before[0]!;
      kubectlOk(c, ['delete', 'pod', victim, '--wait=false']);
      const t0 = Date.now();
      await page.waitForSelector(`.n.Pod[data-name="${victim}"][data-state=ready]`, { state: "detached", timeout: 1000 });
      const gone = Date.now() - t0;
      await page.screenshot({ path: join(artifacts, '2-pod-deleted.png') });
      // The replacement: on the map within 1 s of the API showing it in the Service's EndpointSlice.
      const replacement = await until('a replacement endpoint in the API', () => {
        const slices = JSON.parse(kubectlOk(c, ['get', 'endpointslices', '-l', 'kubernetes.io/service-name=my-service', '-o', 'json'])).items as any[];
        return slices.flatMap((s) => (s.endpoints ?? []).map((e: any) => e.targetRef?.name as string)).find((n) => !before.includes(n)) ?? '';
      }, (n) => n !== '', 30_000);
      const t1 = Date.now();
      await page.waitForSelector(`.n.Pod[data-name="${replacement}"]`, { timeout: 1000 });
      const appeared = Date.now() - t1;
      await until('3 ready pods again', () => readyPods().count(), (n) => n === 3, 30_000);
      await page.screenshot({ path: join(artifacts, '3-replaced.png') });
      // An Ingress in front of the Service appears, and a Gateway in front of an HTTPRoute to it.
      kubectlOk(c, ['create', 'ingress', 'front', '--rule=front.example/*=my-service:8080']);
      await page.waitForSelector('.n.Ingress[data-name=front]:has-text("front.example")', { timeout: 5000 });
      await until('the Gateway API served', () => kubectl(c, ['get', 'gatewayclass', 'kubesvc']).code, (code) => code === 0, 30_000);
      kubectlOk(c, ['apply', '-f', '-'], gatewayAndRoute('my-service', 8080));
      await page.waitForSelector('.n.HTTPRoute[data-name=web]:has-text("Accepted")', { timeout: 10_000 });
      await page.waitForSelector('.n.Gateway[data-name=gw]:has-text("Programmed")', { timeout: 10_000 });
      await page.screenshot({ path: join(artifacts, '4-ingress-and-gateway.png') });
      assert.doesNotMatch((await page.locator('#status').textContent()) ?? '', /retrying/);
      assert.deepEqual(errors, []);
      t.diagnostic(`deleted pod off the map after ${gone} ms; replacement on the map ${appeared} ms after the API listed it`);
    } finally {
      await browser.close();
    }
  });

  it('in Chromium: traffic sent with curl shows on the right endpoints, and the rules panel shows what the proxy programs', async (t) => {
    const missing = chromiumMissing();
    if (missing) {
      t.skip(missing);
      return;
    }
    mkdirSync(artifacts, { recursive: true });
    kubectlOk(c, ['apply', '-f', '-'], backend);
    const ready = await until('3 ready endpoints', () => {
      const slices = JSON.parse(kubectlOk(c, ['get', 'endpointslices', '-l', 'kubernetes.io/service-name=my-service', '-o', 'json'])).items as any[];
      return slices.flatMap((s) => (s.endpoints ?? []).filter((e: any) => e.conditions?.ready).map((e: any) => ({ pod: e.targetRef.name as string, ip: e.addresses[0] as string })));
    }, (eps) => eps.length === 3, 30_000);
    const clusterIP = JSON.parse(kubectlOk(c, ['get', 'svc', 'my-service', '-o', 'json'])).spec.clusterIP as string;
    // What `kubesvc proxy rules` prints for this Service, to compare the panel with.
    const cli = spawnSync(kubesvcBin, ['proxy', 'rules', '--mode', 'iptables', '--data-dir', c.dataDir], { encoding: 'utf8' });
    assert.equal(cli.status, 0, cli.stderr);
    const svcChain = /--comment "default\/my-service cluster IP".* -j (KUBE-SVC-[A-Z2-7]{16})/.exec(cli.stdout)?.[1];
    assert.ok(svcChain, 'proxy rules names the Service chain');

    const link = spawnSync(kubesvcBin, ['ui', '--data-dir', c.dataDir], { encoding: 'utf8' }).stdout.trim();
    const browser = await launchChromium();
    try {
      const page = await (await clusterContext(browser)).newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(link);
      await page.locator('.n.Service[data-name=my-service]').click();
      await page.waitForSelector('#proxyPanel');

      // Requests through the ClusterIP (a new connection each): each answer names the pod that served it.
      const served = new Map<string, number>();
      const sendSome = async (n: number) => {
        for (let i = 0; i < n; i++) {
          const r = spawnSync('curl', ['-sS', '--max-time', '2', `http://${clusterIP}:8080/`], { encoding: 'utf8' });
          assert.equal(r.status, 0, r.stderr);
          served.set(r.stdout.trim(), (served.get(r.stdout.trim()) ?? 0) + 1);
          await new Promise((res) => setTimeout(res, 50));
        }
      };
      await sendSome(15);
      // The map shows it moving, and the details count every connection on the endpoint that served it.
      await page.waitForSelector('path.e.flow', { state: 'attached', timeout: 10_000 });
      await page.waitForSelector('.n.Service[data-name=my-service]:has-text("conn/s")', { timeout: 10_000 });
      const rows = () => page.locator('#traffic tbody tr').evaluateAll((trs) => trs.map((tr) => ({ endpoint: tr.getAttribute('data-endpoint')!, total: Number(tr.getAttribute('data-total')) })));
      const byEndpoint = await until('every connection counted', rows, (rs) => rs.reduce((a, r) => a + r.total, 0) === 15, 10_000);
      for (const r of byEndpoint) {
        const ep = ready.find((e) => `${e.ip}:9376` === r.endpoint);
        assert.ok(ep, `${r.endpoint} is one of the Service's endpoints`);
        assert.equal(r.total, served.get(ep.pod) ?? 0, `${ep.pod} (${r.endpoint}) served ${served.get(ep.pod)} of the requests`);
      }
      // Requests through the ingress controller count as requests per second on the Service.
      kubectlOk(c, ['create', 'ingress', 'traffic', '--rule=traffic.example/*=my-service:8080']);
      const lb = await until('the ingress address', () => JSON.parse(kubectlOk(c, ['get', 'ingress', 'traffic', '-o', 'json'])).status?.loadBalancer?.ingress?.[0]?.ip as string | undefined, (ip) => !!ip, 30_000);
      const ingressPort = JSON.parse(kubectlOk(c, ['get', 'svc', '-n', 'kube-system', 'kubesvc-ingress', '-o', 'json'])).spec.ports.find((p: any) => p.name === 'http').port;
      let answered = 0;
      await until('answers through the Ingress', () => {
        const r = spawnSync('curl', ['-sS', '--max-time', '2', '-o', '/dev/null', '-w', '%{http_code}', '-H', 'Host: traffic.example', `http://${lb}:${ingressPort}/`], { encoding: 'utf8' });
        if (r.stdout === '200') answered++;
        return answered;
      }, (n) => n >= 5, 20_000);
      const sample = await until('the requests in the traffic figures', () => JSON.parse(kubectlOk(c, ['get', '--raw', '/ui/api/traffic'])), (t: any) =>
        t.requests.filter((r: any) => r.ingress === 'traffic' && r.service === 'my-service' && r.status === '200').reduce((a: number, r: any) => a + r.requests, 0) >= answered, 5000);
      assert.deepEqual(sample.controllers.map((x: any) => x.error ?? 'ok'), sample.controllers.map(() => 'ok'));
      // While requests keep coming (bounded: at most 60, 100 ms apart), the Ingress and its Service show them per second.
      let stop = false;
      const steady = (async () => {
        for (let i = 0; i < 60 && !stop; i++) {
          spawnSync('curl', ['-sS', '--max-time', '2', '-o', '/dev/null', '-H', 'Host: traffic.example', `http://${lb}:${ingressPort}/`]);
          await new Promise((res) => setTimeout(res, 100));
        }
      })();
      try {
        await page.waitForSelector('.n.Ingress[data-name=traffic]:has-text("req/s")', { timeout: 6000 });
        await page.waitForSelector('.n.Service[data-name=my-service]:has-text("req/s")', { timeout: 6000 });
      } finally {
        stop = true;
        await steady;
      }
      await page.screenshot({ path: join(artifacts, '5-traffic.png') });

      // The rules panel: this Service's iptables chain as `proxy rules` names it, and a trace.
      await page.waitForSelector(`#rules:has-text("${svcChain}")`);
      const rulesText = (await page.locator('#rules').textContent()) ?? '';
      assert.match(rulesText, /^\*nat$/m);
      for (const e of ready) assert.ok(rulesText.includes(`-j DNAT --to-destination ${e.ip}:9376`), `a DNAT rule to ${e.ip}`);
      assert.doesNotMatch(rulesText, /default\/kubernetes/, 'only this Service\'s chains');
      await page.fill('#traceFrom', '10.9.9.9');
      await page.waitForSelector('#trace:has-text("from 10.9.9.9")');
      assert.match((await page.locator('#trace').textContent()) ?? '', new RegExp(`Service default/my-service, port 8080/TCP: iptables mode`));
      // The destination port can be chosen (this Service has one, unnamed: by number).
      await page.selectOption('#tracePort', '8080');
      await page.waitForSelector('#trace:has-text("port 8080/TCP")');
      // Upstream's layout: a KUBE-SEP chain per endpoint instead of the inline DNATs.
      await page.selectOption('#rulesLayout', 'upstream');
      await page.waitForSelector('#rules:has-text("KUBE-SEP-")');
      await page.selectOption('#rulesLayout', 'inline');
      await page.selectOption('#rulesMode', 'nftables');
      await page.waitForSelector('#rules:has-text("table ip kube-proxy")');
      await page.locator('#proxyPanel').scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(artifacts, '6-rules.png') });
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  });
});
