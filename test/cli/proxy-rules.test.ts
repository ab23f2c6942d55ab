// `kubesvc proxy rules` and `kubesvc proxy trace` against a real cluster (kubesvc up in a child
// process): a selector-less NodePort Service with manual Endpoints (the mirroring controller
// makes its EndpointSlice), then the CLI run as a child process like a user runs it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, kubectlOk, kubesvcBin, root, type Cluster } from '../e2e/harness.js';

/** main.ts routes `proxy` once its case is added; until then the standalone entry runs the same command. */
const viaMain = spawnSync(process.execPath, [kubesvcBin, 'help'], { encoding: 'utf8' }).stdout.includes('proxy');
const proxyEntry = viaMain ? [kubesvcBin, 'proxy'] : [join(root, 'dist', 'src', 'cli', 'proxy-main.js')];

function proxy(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [...proxyEntry, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

function modeBuilt(mode: string): boolean {
  return existsSync(join(root, 'dist', 'src', 'proxy', mode, 'index.js'));
}

async function until<T>(what: string, fn: () => T, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  let v = fn();
  while (!ok(v)) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
    v = fn();
  }
  return v;
}

describe('kubesvc proxy rules / trace', () => {
  let c: Cluster;
  let epA: string;
  let epB: string;
  let clusterIP: string;
  let nodePort: number;
  let nodeIP: string;
  let emptyIP: string;

  before(async () => {
    c = await startCluster();
    epA = `${c.plan.podPrefix}7.10`;
    epB = `${c.plan.podPrefix}7.11`;
    kubectlOk(
      c,
      ['apply', '-f', '-'],
      `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
  sessionAffinity: ClientIP
  ports:
  - name: http
    port: 80
    targetPort: 8080
---
apiVersion: v1
kind: Endpoints
metadata:
  name: web
subsets:
- addresses:
  - ip: ${epA}
  - ip: ${epB}
  ports:
  - name: http
    port: 8080
---
apiVersion: v1
kind: Service
metadata:
  name: empty
spec:
  ports:
  - name: http
    port: 81
`,
    );
    await until(
      'the mirrored EndpointSlice',
      () => kubectlOk(c, ['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={.items[*].endpoints[*].addresses[0]}']),
      (s) => s.includes(epA) && s.includes(epB),
    );
    const svc = JSON.parse(kubectlOk(c, ['get', 'svc', 'web', '-o', 'json'])) as { spec: { clusterIP: string; ports: { nodePort: number }[] } };
    clusterIP = svc.spec.clusterIP;
    nodePort = svc.spec.ports[0]!.nodePort;
    emptyIP = kubectlOk(c, ['get', 'svc', 'empty', '-o', 'jsonpath={.spec.clusterIP}']).trim();
    nodeIP = kubectlOk(c, ['get', 'nodes', '-o', 'jsonpath={.items[0].status.addresses[?(@.type=="InternalIP")].address}']).trim();
  });

  after(async () => {
    await c?.destroy();
  });

  it('--mode ipvs prints the virtual server, real servers in masquerade mode, ipsets and kube-ipvs0 addresses', () => {
    const r = proxy(['rules', '--mode', 'ipvs', '--kubeconfig', c.kubeconfig]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    const vs = `${clusterIP}:80`;
    // ClientIP affinity becomes persistence with the default timeout.
    assert.ok(lines.includes(`-A -t ${vs} -s rr -p 10800`), r.stdout);
    assert.ok(lines.includes(`-a -t ${vs} -r ${epA}:8080 -m -w 1`), r.stdout);
    assert.ok(lines.includes(`-a -t ${vs} -r ${epB}:8080 -m -w 1`), r.stdout);
    assert.ok(nodeIP, 'the node has an InternalIP');
    assert.ok(lines.includes(`-A -t ${nodeIP}:${nodePort} -s rr -p 10800`), r.stdout);
    assert.ok(lines.includes(`-a -t ${nodeIP}:${nodePort} -r ${epA}:8080 -m -w 1`), r.stdout);
    assert.ok(lines.includes(`add KUBE-CLUSTER-IP ${clusterIP},tcp:80`), r.stdout);
    assert.ok(lines.includes(`add KUBE-NODE-PORT-TCP ${nodePort}`), r.stdout);
    assert.ok(lines.includes(`ip addr add ${clusterIP}/32 dev kube-ipvs0`), r.stdout);
    // The empty Service still gets a virtual server, with no real server behind it.
    const emptyVS = lines.findIndex((l) => l === `-A -t ${emptyIP}:81 -s rr`);
    assert.ok(emptyVS >= 0, r.stdout);
    assert.ok(!(lines[emptyVS + 1] ?? '').startsWith(`-a -t ${emptyIP}:81 `), r.stdout);
    assert.match(r.stdout, /^\*nat$/m);
    assert.match(r.stdout, /-m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT/);
  });

  it('--ipvs-scheduler changes every virtual server; a bad scheduler or mode is a usage error', () => {
    const r = proxy(['rules', '--mode', 'ipvs', '--ipvs-scheduler', 'wlc', '--kubeconfig', c.kubeconfig]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.split('\n').includes(`-A -t ${clusterIP}:80 -s wlc -p 10800`), r.stdout);
    const bad = proxy(['rules', '--mode', 'ipvs', '--ipvs-scheduler', 'fastest', '--kubeconfig', c.kubeconfig]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--ipvs-scheduler must be one of rr, wrr, lc, wlc, sh, dh, sed, nq/);
    const badMode = proxy(['rules', '--mode', 'ebpf', '--kubeconfig', c.kubeconfig]);
    assert.equal(badMode.code, 2);
    assert.match(badMode.stderr, /--mode must be one of iptables, nftables, ipvs/);
  });

  it('--proxy-layout: inline (the default) has the hairpin chains, upstream has none and nftables gets its vmaps; a bad layout is a usage error', () => {
    const inline = proxy(['rules', '--mode', 'iptables', '--kubeconfig', c.kubeconfig]);
    assert.equal(inline.code, 0, inline.stderr);
    assert.match(inline.stdout, /^-A KUBE-POSTROUTING .*-j KUBE-HAIRPIN$/m);
    const upstream = proxy(['rules', '--mode', 'iptables', '--proxy-layout', 'upstream', '--kubeconfig', c.kubeconfig]);
    assert.equal(upstream.code, 0, upstream.stderr);
    assert.doesNotMatch(upstream.stdout, /KUBE-HAIRPIN/);
    assert.match(upstream.stdout, /^-A KUBE-SEP-[A-Z2-7]{16} .*-j DNAT --to-destination /m);
    const nft = proxy(['rules', '--mode', 'nftables', '--proxy-layout', 'upstream', '--kubeconfig', c.kubeconfig]);
    assert.equal(nft.code, 0, nft.stderr);
    assert.match(nft.stdout, /numgen random mod 2 vmap/);
    assert.doesNotMatch(nft.stdout, /hairpin-ips/);
    for (const sub of [['rules', '--mode', 'iptables'], ['trace', 'web']]) {
      const bad = proxy([...sub, '--proxy-layout', 'flat', '--kubeconfig', c.kubeconfig]);
      assert.equal(bad.code, 2, bad.stderr);
      assert.match(bad.stderr, /--proxy-layout must be one of inline, upstream, not "flat"/);
    }
  });

  it('--data-dir finds DIR/kubeconfig.yaml', () => {
    const r = proxy(['rules', '--mode', 'ipvs', '--data-dir', c.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`-A -t ${clusterIP}:80 -s rr`));
  });

  for (const mode of ['iptables', 'nftables'] as const) {
    it(`--mode ${mode} prints the mode's rules when the mode is built (or says it is not)`, (t) => {
      const r = proxy(['rules', '--mode', mode, '--kubeconfig', c.kubeconfig]);
      if (!modeBuilt(mode)) {
        assert.equal(r.code, 1);
        assert.match(r.stderr, new RegExp(`the ${mode} mode is not available in this build yet`));
        t.skip(`src/proxy/${mode}/index.ts is not built yet: checked only the clear error`);
        return;
      }
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.includes(clusterIP), r.stdout);
      assert.ok(r.stdout.includes(epA) && r.stdout.includes(epB), r.stdout);
      // The chains trace names are the chains the mode programs.
      const tr = proxy(['trace', 'web', '--mode', mode, '--kubeconfig', c.kubeconfig]);
      assert.equal(tr.code, 0, tr.stderr);
      const named = [...tr.stdout.matchAll(mode === 'iptables' ? /KUBE-(?:SVC|SEP|EXT)-[A-Z2-7]{16}/g : /(?:service|endpoint|external)-[A-Z2-7]{8}-\S+?(?=[.:,]?(?:\s|$))/g)].map((m) => m[0]);
      assert.ok(named.length >= 3, tr.stdout);
      for (const chain of named) assert.ok(r.stdout.includes(chain), `${chain} not in the ${mode} rules:\n${r.stdout}`);
    });
  }

  it('proxy trace explains the path and lists the endpoints with their shares (each mode)', () => {
    for (const mode of ['iptables', 'nftables', 'ipvs', 'userspace']) {
      const r = proxy(['trace', 'default/web', '--mode', mode, '--from', '10.99.0.1', '--kubeconfig', c.kubeconfig]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`Service default/web, port "http" 80/TCP: ${mode} mode`));
      assert.match(r.stdout, new RegExp(`${epA.replaceAll('.', '\\.')}:8080  50\\.0% of new connections`));
      assert.match(r.stdout, new RegExp(`${epB.replaceAll('.', '\\.')}:8080  50\\.0% of new connections`));
      assert.match(r.stdout, /ClientIP affinity/);
      assert.match(r.stdout, new RegExp(`NodePort ${nodePort}`));
    }
    const ipt = proxy(['trace', 'web', '--port', 'http', '--kubeconfig', c.kubeconfig]);
    assert.equal(ipt.code, 0, ipt.stderr);
    assert.match(ipt.stdout, /KUBE-SVC-[A-Z2-7]{16}/);
    assert.match(ipt.stdout, /--probability 0\.5000000000" -j KUBE-SEP-[A-Z2-7]{16}: DNAT to /);
  });

  it('proxy trace: a Service without endpoints is rejected; an unknown Service is an error', () => {
    const r = proxy(['trace', 'empty', '--kubeconfig', c.kubeconfig]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /has no endpoints/);
    assert.match(r.stdout, /connection refused/);
    const ipvs = proxy(['trace', 'empty', '--mode', 'ipvs', '--kubeconfig', c.kubeconfig]);
    assert.match(ipvs.stdout, /no real server/);
    const missing = proxy(['trace', 'nope', '--kubeconfig', c.kubeconfig]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /service default\/nope not found/);
  });
});
