// An OCI image as a user ships one: built offline, pushed to a registry on 127.0.0.1 (Debian's
// docker-registry), and run by `kubesvc up` with nothing but its own image puller and crun —
// a Deployment of busybox httpd behind a Service, reached at its ClusterIP; a second pod of the
// same image starts from the store without another pull; an image the registry lacks backs off.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { httpGet, kubectl, kubectlOk, startCluster, tempDir, until, type Cluster } from './harness.js';
import { crunAvailable } from '../node/crun/busybox-image.js';
import { killCrunContainers, webManifest } from './crun-tools.js';
import { DOCKER_REGISTRY_BIN, startDockerRegistry, type DockerRegistry } from '../support/docker-registry.js';
import { pushBusybox } from '../support/oci-push.js';

const skip = !crunAvailable ? 'needs root, /usr/bin/crun and /bin/busybox (busybox-static)' : !existsSync(DOCKER_REGISTRY_BIN) ? 'needs docker-registry (apt-get install docker-registry)' : false;

describe('OCI images pulled from a registry and run with crun', { skip, timeout: 180_000 }, () => {
  const dataDir = tempDir();
  let registry: DockerRegistry | undefined;
  let image = '';
  let c: Cluster | undefined;

  before(async () => {
    registry = await startDockerRegistry();
    image = await pushBusybox(registry, 'test/busybox', '1.36');
    c = await startCluster({ dataDir });
  });

  after(async () => {
    await c?.stop();
    killCrunContainers(dataDir);
    await registry?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('pulls the image and serves a Deployment of it behind a Service', async () => {
    kubectlOk(c!, ['apply', '-f', '-'], webManifest('$POD_IP:8080', image));
    kubectlOk(c!, ['rollout', 'status', 'deployment/web', '--timeout=90s']);
    const pods = JSON.parse(kubectlOk(c!, ['get', 'pods', '-l', 'app=web', '-o', 'json'])).items as { metadata: { name: string }; status: { containerStatuses: { imageID: string }[] } }[];
    assert.equal(pods.length, 2);
    for (const p of pods) assert.match(p.status.containerStatuses[0]!.imageID, new RegExp(`^${image.split(':1.36')[0]!.replace(/\./g, '\\.')}@sha256:[0-9a-f]{64}$`));
    const svc = JSON.parse(kubectlOk(c!, ['get', 'svc', 'web', '-o', 'json']));
    const seen = new Set<string>();
    for (let i = 0; i < 20 && seen.size < 2; i++) seen.add((await httpGet(svc.spec.clusterIP, 80, '/hostname')).trim());
    assert.deepEqual([...seen].sort(), pods.map((p) => p.metadata.name).sort());
    const events = kubectlOk(c!, ['get', 'events', '--field-selector', 'reason=Pulled', '-o', 'jsonpath={.items[*].message}']);
    assert.match(events, new RegExp(`(Successfully pulled image "${image.replace(/\./g, '\\.')}" in [\\d.]+m?s|already present on machine)`));
    // One copy of the image in the store, whatever the number of pods.
    assert.equal(readdirSync(join(dataDir, 'images', 'rootfs')).length, 1);
  });

  it('says ErrImagePull, then ImagePullBackOff, for an image the registry does not have', async () => {
    const missing = `${registry!.host}/test/nothing:1`;
    kubectlOk(c!, ['run', 'missing', `--image=${missing}`, '--restart=Never']);
    const reasons = new Set<string>();
    await until(
      'ErrImagePull then ImagePullBackOff',
      () => {
        const r = JSON.parse(kubectlOk(c!, ['get', 'pod', 'missing', '-o', 'json'])).status?.containerStatuses?.[0]?.state?.waiting?.reason as string | undefined;
        if (r) reasons.add(r);
        return reasons;
      },
      (s) => s.has('ImagePullBackOff'),
      40_000,
    );
    const describe = kubectl(c!, ['describe', 'pod', 'missing']).stdout;
    assert.match(describe, new RegExp(`Failed to pull image "${missing.replace(/\./g, '\\.')}"`));
  });
});
