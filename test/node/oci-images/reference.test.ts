// Image reference normalization, registry endpoints, platform choice and auth challenges: the
// pure parts of a pull, table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalReference, fullName, parseReference } from '../../../src/node/oci-images/reference.js';
import { registryEndpoints } from '../../../src/node/oci-images/registry-hosts.js';
import { selectManifest } from '../../../src/node/oci-images/platform.js';
import { parseChallenges } from '../../../src/node/oci-images/auth-challenge.js';

test('references normalize as distribution/reference does', () => {
  const cases: [string, string, string][] = [
    ['busybox', 'docker.io/library/busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox', 'docker.io/library/busybox:1.36'],
    ['docker.io/busybox', 'docker.io/library/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/busybox', 'docker.io/library/busybox', 'docker.io/library/busybox:latest'],
    ['bitnami/nginx:1.2', 'docker.io/bitnami/nginx', 'docker.io/bitnami/nginx:1.2'],
    ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause', 'registry.k8s.io/pause:3.10'],
    ['127.0.0.1:5000/a/b:v1', '127.0.0.1:5000/a/b', '127.0.0.1:5000/a/b:v1'],
    ['localhost/x', 'localhost/x', 'localhost/x:latest'],
    ['localhost:5000/x', 'localhost:5000/x', 'localhost:5000/x:latest'],
    [`ghcr.io/o/r:t@sha256:${'a'.repeat(64)}`, 'ghcr.io/o/r', `ghcr.io/o/r@sha256:${'a'.repeat(64)}`],
    [`nginx@sha256:${'b'.repeat(64)}`, 'docker.io/library/nginx', `docker.io/library/nginx@sha256:${'b'.repeat(64)}`],
  ];
  for (const [image, name, canonical] of cases) {
    const ref = parseReference(image);
    assert.equal(fullName(ref), name, image);
    assert.equal(canonicalReference(ref), canonical, image);
  }
  for (const bad of ['', 'Busybox', 'a b', 'busybox:', 'x@sha256:12', 'a//b', '-a', 'busybox:-x', 'ex ample.com/a', 'a:b:c']) {
    assert.throws(() => parseReference(bad), /invalid reference format/, bad);
  }
});

test('loopback registries are plain HTTP, others HTTPS unless insecure; docker.io tries mirrors first', () => {
  assert.deepEqual(registryEndpoints('127.0.0.1:5000'), [{ base: 'http://127.0.0.1:5000', mirror: false }]);
  assert.deepEqual(registryEndpoints('127.9.8.7:80'), [{ base: 'http://127.9.8.7:80', mirror: false }]);
  assert.deepEqual(registryEndpoints('localhost:5000'), [{ base: 'http://localhost:5000', mirror: false }]);
  assert.deepEqual(registryEndpoints('[::1]:5000'), [{ base: 'http://[::1]:5000', mirror: false }]);
  assert.deepEqual(registryEndpoints('10.0.0.5:5000'), [{ base: 'https://10.0.0.5:5000', mirror: false }]);
  assert.deepEqual(registryEndpoints('128.0.0.1:5000'), [{ base: 'https://128.0.0.1:5000', mirror: false }]);
  assert.deepEqual(registryEndpoints('10.0.0.5:5000', { insecureRegistries: ['10.0.0.5:5000'] }), [{ base: 'http://10.0.0.5:5000', mirror: false }]);
  assert.deepEqual(registryEndpoints('ghcr.io'), [{ base: 'https://ghcr.io', mirror: false }]);
  assert.deepEqual(registryEndpoints('docker.io', { registryMirrors: ['127.0.0.1:5001', 'https://mirror.example/'] }), [
    { base: 'http://127.0.0.1:5001', mirror: true },
    { base: 'https://mirror.example', mirror: true },
    { base: 'https://registry-1.docker.io', mirror: false },
  ]);
  // Mirrors are for Docker Hub only.
  assert.equal(registryEndpoints('ghcr.io', { registryMirrors: ['127.0.0.1:5001'] }).length, 1);
});

test('an index gives this platform its manifest: exact variant first, arm64 v8 implied', () => {
  const d = (n: number, platform: { os: string; architecture: string; variant?: string }) => ({
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: `sha256:${String(n).repeat(64).slice(0, 64)}`,
    size: 1,
    platform,
  });
  const index = [
    d(1, { os: 'unknown', architecture: 'unknown' }),
    d(2, { os: 'linux', architecture: 'arm', variant: 'v6' }),
    d(3, { os: 'linux', architecture: 'arm', variant: 'v7' }),
    d(4, { os: 'linux', architecture: 'arm64' }),
    d(5, { os: 'windows', architecture: 'amd64' }),
    d(6, { os: 'linux', architecture: 'amd64' }),
  ];
  assert.equal(selectManifest(index, { os: 'linux', architecture: 'amd64' })?.digest, index[5]!.digest);
  assert.equal(selectManifest(index, { os: 'linux', architecture: 'arm64', variant: 'v8' })?.digest, index[3]!.digest);
  assert.equal(selectManifest(index, { os: 'linux', architecture: 'arm', variant: 'v7' })?.digest, index[2]!.digest);
  assert.equal(selectManifest(index, { os: 'linux', architecture: 's390x' }), undefined);
});

test('WWW-Authenticate challenges parse with quoted commas and several schemes', () => {
  assert.deepEqual(
    parseChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull,push"'),
    [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull,push' } }],
  );
  assert.deepEqual(parseChallenges('Basic realm="Registry Realm", Bearer realm="https://x/t"'), [
    { scheme: 'basic', params: { realm: 'Registry Realm' } },
    { scheme: 'bearer', params: { realm: 'https://x/t' } },
  ]);
  assert.deepEqual(parseChallenges(null), []);
  assert.deepEqual(parseChallenges('garbage ,,, "'), [{ scheme: 'garbage', params: {} }]);
});
