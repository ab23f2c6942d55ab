// The live view in Firefox (Debian's firefox-esr, headless): the same page the Chromium test
// drives — login link, the seed's Deployment of 3 behind its Service, a deleted pod followed,
// traffic counted on its endpoints, the rules panel — so it works in both engines.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startCluster, kubectlOk, kubesvcBin, root, until, type Cluster } from '../harness.js';
import { firefoxMissing, launchFirefox } from '../../support/firefox.js';
import { backend } from './seed.js';

const artifacts = join(root, 'test-artifacts', 'ui');


describe('the live view in Firefox', { skip: firefoxMissing() }, () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  it('logs in, follows a deleted pod, counts traffic per endpoint and shows the rules', async (t) => {
    mkdirSync(artifacts, { recursive: true });
    kubectlOk(c, ['apply', '-f', '-'], backend);
    const link = spawnSync(kubesvcBin, ['ui', '--data-dir', c.dataDir], { encoding: 'utf8' }).stdout.trim();
    const browser = await launchFirefox();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push((e as Error).message));
      await page.goto(link);
      const count = (sel: string) => page.$$eval(sel, (els) => els.length);
      await until('3 ready pods on the map', () => count('.n.Pod[data-state=ready]'), (n) => n === 3, 30_000);
      assert.ok(!page.url().includes('token='), 'the token left the address bar');

      const names = await page.$$eval('.n.Pod[data-state=ready]', (gs) => gs.map((g) => g.getAttribute('data-name')!));
      kubectlOk(c, ['delete', 'pod', names[0]!, '--wait=false']);
      await page.waitForSelector(`.n.Pod[data-name="${names[0]}"][data-state=ready]`, { hidden: true, timeout: 2000 });
      await until('3 ready pods again', () => count('.n.Pod[data-state=ready]'), (n) => n === 3, 30_000);

      await page.click('.n.Service[data-name=my-service]');
      await page.waitForSelector('#proxyPanel');
      const clusterIP = JSON.parse(kubectlOk(c, ['get', 'svc', 'my-service', '-o', 'json'])).spec.clusterIP as string;
      for (let i = 0; i < 9; i++) assert.equal(spawnSync('curl', ['-sS', '--max-time', '2', `http://${clusterIP}:8080/`]).status, 0);
      const totals = () => page.$$eval('#traffic tbody tr', (trs) => trs.reduce((a, tr) => a + Number(tr.getAttribute('data-total')), 0));
      await until('9 connections counted', totals, (n) => n === 9, 5000);

      const rules = await until('the rules panel', () => page.$eval('#rules', (el) => el.textContent ?? ''), (text) => /KUBE-SVC-[A-Z2-7]{16}/.test(text), 5000);
      assert.match(rules, /--comment "default\/my-service cluster IP"/);
      await page.screenshot({ path: join(artifacts, 'firefox.png') });
      assert.deepEqual(errors, []);
      t.diagnostic(`Firefox ${await browser.version()}`);
    } finally {
      await browser.cleanup();
    }
  });
});
