// OCI images with crun in netns mode: each pod's containers join the pod's network namespace
// (crun's network namespace path), bind the wildcard as in real Kubernetes, and the node's
// iptables rules carry ClusterIP traffic to them. kubesvc runs inside a namespace this test
// creates, with Debian's docker-registry on that namespace's loopback holding the image (built
// offline and pushed from inside the namespace), which kubesvc's own puller pulls: no fake.
// Every namespace is named with this test's `crun…` prefix and removed by exact name.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { kubectlOk, root, startCluster, tempDir, type Cluster } from './harness.js';
import { curl, inNs, lines, netnsSkipReason, run } from './netns-tools.js';
import { crunContainers, killCrunContainers, webManifest } from './crun-tools.js';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { DOCKER_REGISTRY_BIN, startDockerRegistry, type DockerRegistry } from '../support/docker-registry.js';
import { crunAvailable } from '../node/crun/busybox-image.js';
import { rmSync } from 'node:fs';

const skip =
  netnsSkipReason() ||
  (crunAvailable ? false : 'needs /usr/bin/crun and /bin/busybox (busybox-static)') ||
  (existsSync(DOCKER_REGISTRY_BIN) ? false : 'needs docker-registry (apt-get install docker-registry)');

describe('OCI images with crun (netns network)', { skip, timeout: 180_000 }, () => {
  const id = `crun${(process.pid % 900) + 100}`;
  const hostNs = `${id}-host`;
  const node = `${id}-node-1`;
  const dataDir = tempDir();
  let c: Cluster | undefined;
  let registry: DockerRegistry | undefined;
  let image = '';
  const pods = () => JSON.parse(kubectlOk(c!, ['get', 'pods', '-l', 'app=web', '-o', 'json'])).items as any[];

  before(async () => {
    run(['ip', 'netns', 'del', hostNs]);
    assert.equal(run(['ip', 'netns', 'add', hostNs]).code, 0);
    assert.equal(inNs(hostNs, ['ip', 'link', 'set', 'lo', 'up']).code, 0);
    registry = await startDockerRegistry({ netns: hostNs });
    const push = inNs(hostNs, [process.execPath, join(root, 'dist', 'test', 'support', 'push-busybox-cli.js'), registry.url, 'test/busybox', '1.36']);
    assert.equal(push.code, 0, push.stderr);
    image = push.stdout.trim();
    c = await startCluster({
      dataDir,
      netns: hostNs,
      timeoutMs: 30_000,
      args: ['--network', 'netns', '--nodes', '1', '--proxy-mode', 'iptables', '--netns-prefix', id],
    });
  });

  after(async () => {
    await c?.destroy();
    killCrunContainers(dataDir);
    await registry?.stop();
    for (const ns of lines(run(['ip', 'netns', 'list']).stdout).map((l) => l.split(/\s+/)[0]!)) {
      if (ns === hostNs || ns.startsWith(`${id}-node-`) || ns.startsWith(`${id}-pod-`)) run(['ip', 'netns', 'del', ns]);
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("serves a Deployment of busybox httpd bound to the wildcard in each pod's namespace through its ClusterIP", async () => {
    kubectlOk(c!, ['apply', '-f', '-'], webManifest('8080', image));
    kubectlOk(c!, ['rollout', 'status', 'deployment/web', '--timeout=90s']);
    const ps = pods();
    assert.equal(ps.length, 2);
    for (const p of ps) assert.match(p.status.podIP, /^10\.244\.1\./);
    const ip = JSON.parse(kubectlOk(c!, ['get', 'svc', 'web', '-o', 'json'])).spec.clusterIP as string;
    const names = new Set(ps.map((p) => p.metadata.name as string));
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < names.size; i++) seen.add(curl(node, `http://${ip}/hostname`));
    assert.deepEqual([...seen].sort(), [...names].sort());
    // Inside the container: the pod's eth0 with its IP, and the pod's hostname.
    const name = ps[0].metadata.name as string;
    assert.match(kubectlOk(c!, ['exec', name, '--', 'ip', '-o', '-4', 'addr', 'show', 'eth0']), new RegExp(`inet ${ps[0].status.podIP.replace(/\./g, '\\.')}/`));
    assert.equal(kubectlOk(c!, ['exec', name, '--', 'hostname']).trim(), name);
    // The pod's resolv.conf names the cluster DNS.
    assert.match(kubectlOk(c!, ['exec', name, '--', 'cat', '/etc/resolv.conf']), /nameserver 10\.96\.0\.10/);
  });

  it('a clean stop ends every container and removes the pod namespaces', async () => {
    assert.equal(await c!.stop(), 0);
    c = undefined;
    assert.deepEqual(crunContainers(dataDir), []);
    assert.deepEqual(lines(run(['ip', 'netns', 'list']).stdout).filter((l) => l.startsWith(`${id}-pod-`)), []);
  });
});
