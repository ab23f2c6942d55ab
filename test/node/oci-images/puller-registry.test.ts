// Pulls from a real registry (Debian's docker-registry on 127.0.0.1) of an image built offline from
// busybox-static: cold and warm pulls (the figures), the rootfs runs, restart keeps the store, an
// index of several platforms, Docker Hub names through a mirror, pull policies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OciImagePuller } from '../../../src/node/oci-images/puller.js';
import { nodePlatform } from '../../../src/node/oci-images/platform.js';
import { ImageNeverPullError, type PullProgress } from '../../../src/node/runtime/image-puller.js';
import { startDockerRegistry, DOCKER_REGISTRY_BIN, type DockerRegistry } from '../../support/docker-registry.js';
import { buildImage, buildIndex, buildLayer, busyboxImage, type BuiltImage } from '../../support/oci-image.js';
import { pushBusybox, pushImage } from '../../support/oci-push.js';
import { loopbackOnlyFetch } from '../../support/loopback-fetch.js';

const run = promisify(execFile);
const available = existsSync(DOCKER_REGISTRY_BIN) && existsSync('/bin/busybox');
let registry: DockerRegistry;
let dir: string;
let busybox: BuiltImage;

before(async () => {
  if (!available) return;
  dir = await mkdtemp(join(tmpdir(), 'ociimage-pull-'));
  registry = await startDockerRegistry();
  // ~5 MB: busybox (2 MB, 1 MB gzipped) and 4 MB that does not compress.
  busybox = await busyboxImage({ padBytes: 4 << 20 });
  await pushImage(registry.url, 'test/busybox', '1', busybox);
});
after(async () => {
  await registry?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function puller(name: string, extra: Partial<ConstructorParameters<typeof OciImagePuller>[0]> = {}): OciImagePuller {
  return new OciImagePuller({ dir: join(dir, name), fetch: loopbackOnlyFetch, ...extra });
}

test('cold pull, warm pull, already present, and the store survives a restart', { skip: !available && 'needs docker-registry and busybox-static' }, async (t) => {
  const image = `${registry.host}/test/busybox:1`;
  const requested: string[] = [];
  const p = puller('store', {
    fetch: (input, init) => {
      requested.push(new URL(input instanceof Request ? input.url : input.toString()).pathname);
      return loopbackOnlyFetch(input, init);
    },
  });
  const events: PullProgress[] = [];
  let start = performance.now();
  const pulled = await p.ensure({ image, pullPolicy: 'IfNotPresent', pullSecrets: [] }, (e) => events.push(e));
  const coldMs = performance.now() - start;
  assert.deepEqual(events.map((e) => e.type), ['Pulling', 'Pulled']);
  const size = busybox.bytes.length + [...busybox.blobs.values()].reduce((n, b) => n + b.length, 0);
  assert.ok(size > 4.5e6 && size < 6e6, `image size ${size}`);
  assert.match(
    (events[1] as { message: string }).message,
    new RegExp(`^Successfully pulled image "${image.replace(/[.]/g, '\\.')}" in \\d+(\\.\\d+)?m?s \\(\\d+(\\.\\d+)?m?s including waiting\\)\\. Image size: ${size} bytes\\.$`),
  );
  assert.equal(pulled.imageID, `${registry.host}/test/busybox@${busybox.digest}`);
  assert.deepEqual(pulled.config, { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], WorkingDir: '/var/www' });
  assert.equal(readlinkSync(join(pulled.rootfs, 'bin/sh')), 'busybox');
  const { stdout } = await run(join(pulled.rootfs, 'bin/busybox'), ['cat', join(pulled.rootfs, 'var/www/index.html')]);
  assert.equal(stdout, 'hello from busybox\n');

  // Always re-resolves the tag and finds every blob already stored.
  assert.equal(requested.filter((r) => r.includes('/blobs/')).length, busybox.blobs.size);
  requested.length = 0;
  events.length = 0;
  start = performance.now();
  const again = await p.ensure({ image, pullPolicy: 'Always', pullSecrets: [] }, (e) => events.push(e));
  const warmMs = performance.now() - start;
  assert.deepEqual(events.map((e) => e.type), ['Pulling', 'Pulled']);
  assert.equal(again.rootfs, pulled.rootfs);
  t.diagnostic(`pull of a ${(size / 1e6).toFixed(1)} MB image from docker-registry: cold ${coldMs.toFixed(0)} ms, warm (Always, blobs stored) ${warmMs.toFixed(1)} ms`);
  console.log(`FIGURE ociimage pull ${size} bytes: cold ${coldMs.toFixed(0)} ms, warm ${warmMs.toFixed(1)} ms`);
  assert.deepEqual(requested, ['/v2/test/busybox/manifests/1'], 'a warm pull downloads no blob');

  events.length = 0;
  await p.ensure({ image, pullPolicy: 'IfNotPresent', pullSecrets: [] }, (e) => events.push(e));
  assert.deepEqual(events, [{ type: 'AlreadyPresent', image }]);
  assert.equal(readdirSync(join(dir, 'store', 'rootfs')).length, 1);
  assert.deepEqual(readdirSync(join(dir, 'store', 'tmp')), []);

  // A new agent on the same data dir: present without the registry (Never does not contact it),
  // by tag and by the digest it resolved to.
  const restarted = puller('store');
  const present = await restarted.ensure({ image, pullPolicy: 'Never', pullSecrets: [] });
  assert.deepEqual(present, pulled);
  const byDigest = await restarted.ensure({ image: `${registry.host}/test/busybox@${busybox.digest}`, pullPolicy: 'Never', pullSecrets: [] });
  assert.deepEqual(byDigest, pulled);
  await assert.rejects(
    restarted.ensure({ image: `${registry.host}/test/busybox:2`, pullPolicy: 'Never', pullSecrets: [] }),
    (err: Error) =>
      err instanceof ImageNeverPullError &&
      err.reason === 'ErrImageNeverPull' &&
      err.message === `Container image "${registry.host}/test/busybox:2" is not present with pull policy of Never`,
  );
});

test('an index of several platforms gives this node its own image', { skip: !available && 'needs docker-registry' }, async () => {
  const here = nodePlatform();
  const others = [
    { os: 'linux', architecture: here.architecture === 'amd64' ? 'arm64' : 'amd64' },
    { os: 'linux', architecture: 's390x' },
    { os: 'windows', architecture: here.architecture },
  ];
  const images = await Promise.all(
    [here, ...others].map(async (platform) => ({
      platform,
      image: buildImage([await buildLayer([{ name: 'arch', data: `${platform.os}/${platform.architecture}` }])], { Cmd: [platform.architecture] }, platform),
    })),
  );
  // This platform's entry last: order alone must not decide.
  const index = buildIndex([...images.slice(1), images[0]!]);
  await pushImage(registry.url, 'test/multi', 'v1', index);
  const pulled = await puller('multi').ensure({ image: `${registry.host}/test/multi:v1`, pullPolicy: 'IfNotPresent', pullSecrets: [] });
  assert.deepEqual(pulled.config.Cmd, [here.architecture]);
  assert.equal(pulled.imageID, `${registry.host}/test/multi@${index.digest}`);
  const { stdout } = await run('cat', [join(pulled.rootfs, 'arch')]);
  assert.equal(stdout, `linux/${here.architecture}`);
  // By digest too.
  const byDigest = await puller('multi').ensure({ image: `${registry.host}/test/multi@${index.digest}`, pullPolicy: 'IfNotPresent', pullSecrets: [] });
  assert.equal(byDigest.rootfs, pulled.rootfs);
});

test('Docker Hub names are pulled through the registry mirror', { skip: !available && 'needs docker-registry' }, async () => {
  assert.equal(await pushBusybox(registry, 'library/busybox', 'latest'), `${registry.host}/library/busybox:latest`);
  const p = puller('mirror', { registryMirrors: [registry.host] });
  const pulled = await p.ensure({ image: 'busybox', pullPolicy: 'Always', pullSecrets: [] });
  assert.match(pulled.imageID, /^docker\.io\/library\/busybox@sha256:[0-9a-f]{64}$/);
  assert.ok(existsSync(join(pulled.rootfs, 'bin/busybox')));
  // Without a mirror Docker Hub itself is asked (and this test refuses the request).
  await assert.rejects(puller('nomirror').ensure({ image: 'busybox', pullPolicy: 'Always', pullSecrets: [] }), /registry-1\.docker\.io/);
});
