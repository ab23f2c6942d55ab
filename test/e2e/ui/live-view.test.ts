// The live view (/ui/) as a user meets it: `kubesvc up` prints its address, `kubesvc ui` prints a
// login link, the page in a real headless Chromium shows the seed's Deployment of 3 behind its
// Service and follows a deleted pod within a second. Hostile requests to the page's paths first.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startCluster, kubectlOk, kubesvcBin, request, credentials, root, until, type Cluster } from '../harness.js';
import { chromiumMissing, clusterContext, launchChromium } from '../../support/chromium.js';

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

const backend = `apiVersion: apps/v1
kind: Deployment
metadata: {name: backend}
spec:
  replicas: 3
  selector: {matchLabels: {app: MyApp}}
  template:
    metadata: {labels: {app: MyApp}}
    spec:
      containers:
      - name: serve-hostname
        image: registry.k8s.io/e2e-test-images/agnhost:2.53
        args: ["serve-hostname"]
        readinessProbe: {tcpSocket: {port: 9376}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: my-service}
spec:
  selector: {app: MyApp}
  ports: [{port: 8080, targetPort: 9376}]
`;

describe('the live view', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
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
      const readyPods = () => page.locator('g.n.Pod[data-state=ready]');
      await until('3 ready pods on the map', () => readyPods().count(), (n) => n === 3, 30_000);
      assert.ok(!page.url().includes('token='));
      await page.waitForSelector('g.n.EndpointSlice:has-text("3/3 ready")');
      await page.locator('g.n.Service[data-name=my-service]').focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('#timeline:has-text("3 ready of 3 endpoints")');
      await page.screenshot({ path: join(artifacts, '1-three-ready.png') });

      const before = await readyPods().evaluateAll((gs) => gs.map((g) => g.getAttribute("data-name")!));
      const victim = before[0]!;
      kubectlOk(c, ['delete', 'pod', victim, '--wait=false']);
      const t0 = Date.now();
      await page.waitForSelector(`g.n.Pod[data-name="${victim}"][data-state=ready]`, { state: "detached", timeout: 1000 });
      const gone = Date.now() - t0;
      await page.screenshot({ path: join(artifacts, '2-pod-deleted.png') });
      // The replacement: on the map within 1 s of the API showing it in the Service's EndpointSlice.
      const replacement = await until('a replacement endpoint in the API', () => {
        const slices = JSON.parse(kubectlOk(c, ['get', 'endpointslices', '-l', 'kubernetes.io/service-name=my-service', '-o', 'json'])).items as any[];
        return slices.flatMap((s) => (s.endpoints ?? []).map((e: any) => e.targetRef?.name as string)).find((n) => !before.includes(n)) ?? '';
      }, (n) => n !== '', 30_000);
      const t1 = Date.now();
      await page.waitForSelector(`g.n.Pod[data-name="${replacement}"]`, { timeout: 1000 });
      const appeared = Date.now() - t1;
      await until('3 ready pods again', () => readyPods().count(), (n) => n === 3, 30_000);
      await page.screenshot({ path: join(artifacts, '3-replaced.png') });
      // An Ingress in front of the Service appears with an edge to it (this cluster serves no
      // Gateway API: the HTTPRoute list is a 404 the page takes calmly).
      kubectlOk(c, ['create', 'ingress', 'front', '--rule=front.example/*=my-service:80']);
      await page.waitForSelector('g.n.Ingress[data-name=front]:has-text("front.example")', { timeout: 5000 });
      await page.screenshot({ path: join(artifacts, '4-ingress.png') });
      assert.doesNotMatch((await page.locator('#status').textContent()) ?? '', /retrying/);
      assert.deepEqual(errors, []);
      t.diagnostic(`deleted pod off the map after ${gone} ms; replacement on the map ${appeared} ms after the API listed it`);
    } finally {
      await browser.close();
    }
  });
});
