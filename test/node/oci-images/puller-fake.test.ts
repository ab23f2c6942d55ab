// Pulls from a registry of our own for what a real one will not do: serve a wrong blob, require a
// token from its own auth server or Basic credentials; and concurrent pulls of one image, failed
// pulls leaving nothing behind, errors worded as containerd and the kubelet word them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OciImagePuller } from '../../../src/node/oci-images/puller.js';
import { ImagePullError, type DockerConfigAuths, type PullProgress } from '../../../src/node/runtime/image-puller.js';
import { FakeRegistry, type FakeRegistryOptions } from '../../support/fake-registry.js';
import { buildImage, buildIndex, buildLayer, type BuiltImage } from '../../support/oci-image.js';
import { loopbackOnlyFetch } from '../../support/loopback-fetch.js';
import { freePort } from '../images/helpers.js';

let dir: string;
let image: BuiltImage;
let n = 0;
const registries: FakeRegistry[] = [];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ociimage-fake-'));
  image = buildImage(
    [await buildLayer([{ name: 'etc/', type: 'directory' }, { name: 'etc/os-release', data: 'ID=test\n' }]), await buildLayer([{ name: 'app', data: 'v1', mode: 0o755 }])],
    { Entrypoint: ['/app'], Cmd: ['--serve'], User: '1000:1000' },
  );
});
after(async () => {
  for (const r of registries) await r.stop();
  await rm(dir, { recursive: true, force: true });
});

async function registry(opts: FakeRegistryOptions = {}): Promise<FakeRegistry> {
  const r = await FakeRegistry.start(opts);
  registries.push(r);
  r.add('test/app', 'v1', image);
  return r;
}

function puller(): OciImagePuller {
  return new OciImagePuller({ dir: join(dir, `store-${++n}`), fetch: loopbackOnlyFetch });
}

const secret = (host: string, user: string, password: string): DockerConfigAuths => ({
  [host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') },
});

test('a blob with the wrong bytes fails the pull naming both digests, and nothing is kept', async () => {
  const layerDigest = JSON.parse(image.bytes.toString()).layers[1].digest as string;
  const r = await registry({ corruptBlobs: new Set([layerDigest]) });
  const p = puller();
  const err = await p.ensure({ image: `${r.host}/test/app:v1`, pullPolicy: 'IfNotPresent', pullSecrets: [] }).catch((e: Error) => e);
  assert.ok(err instanceof ImagePullError, String(err));
  assert.equal(err.reason, 'ErrImagePull');
  assert.match(err.message, new RegExp(`^failed to pull and unpack image "${r.host}/test/app:v1": failed to copy: digest mismatch: expected ${layerDigest}, got sha256:[0-9a-f]{64}$`));
  const store = join(dir, `store-${n}`);
  assert.ok(!existsSync(join(store, 'blobs/sha256', layerDigest.slice(7))));
  assert.deepEqual(readdirSync(join(store, 'rootfs')), []);
  assert.deepEqual(readdirSync(join(store, 'tmp')), []);
});

test('a blob longer than its descriptor says is cut off and refused', async () => {
  const layerDigest = JSON.parse(image.bytes.toString()).layers[0].digest as string;
  const r = await registry({ longBlobs: new Set([layerDigest]) });
  const err = await puller().ensure({ image: `${r.host}/test/app:v1`, pullPolicy: 'IfNotPresent', pullSecrets: [] }).catch((e: Error) => e);
  assert.ok(err instanceof ImagePullError);
  assert.match(err.message, new RegExp(`failed to copy: blob ${layerDigest}: more than the \\d+ bytes its descriptor gives$`));
  assert.deepEqual(readdirSync(join(dir, `store-${n}`, 'tmp')), []);
});

test('Bearer token flow: anonymous token for the pull scope, cached across pulls', async () => {
  const r = await registry({ auth: { type: 'bearer', users: {}, anonymous: true } });
  const p = puller();
  const req = { image: `${r.host}/test/app:v1`, pullPolicy: 'Always' as const, pullSecrets: [] };
  const pulled = await p.ensure(req);
  assert.deepEqual(pulled.config, { Entrypoint: ['/app'], Cmd: ['--serve'], User: '1000:1000' });
  assert.deepEqual(r.tokenRequests, [{ user: undefined, scope: 'repository:test/app:pull', service: 'fake-registry' }]);
  await p.ensure(req);
  assert.equal(r.tokenRequests.length, 1, 'the token is reused until it expires');
  // Always asked the registry again for the tag, and downloaded no blob a second time.
  assert.equal(r.requests.filter((q) => q === 'GET /v2/test/app/manifests/v1').length, 3, 'one 401, then one per pull with the kept token');
  for (const d of image.blobs.keys()) assert.equal(r.blobGets.get(d), 1);
});

test('imagePullSecrets: the matching secret is used, each candidate tried in turn, none means denied', async () => {
  const r = await registry({ auth: { type: 'bearer', users: { alice: 's3cret' } } });
  const image = `${r.host}/test/app:v1`;
  const denied = await puller().ensure({ image, pullPolicy: 'IfNotPresent', pullSecrets: [] }).catch((e: Error) => e);
  assert.ok(denied instanceof ImagePullError);
  assert.match(denied.message, /failed to resolve reference .*: failed to authorize: failed to fetch anonymous token: unexpected status from GET request to http:\/\/127\.0\.0\.1:\d+\/token: 401 Unauthorized/);
  // A secret for another registry does not apply.
  await assert.rejects(puller().ensure({ image, pullPolicy: 'IfNotPresent', pullSecrets: [secret('ghcr.io', 'alice', 's3cret')] }), ImagePullError);
  const wrong = await puller()
    .ensure({ image, pullPolicy: 'IfNotPresent', pullSecrets: [secret(r.host, 'alice', 'nope')] })
    .catch((e: Error) => e);
  assert.match(String(wrong), /failed to fetch oauth token: .*401 Unauthorized/);
  const before = r.tokenRequests.length;
  const pulled = await puller().ensure({
    image,
    pullPolicy: 'IfNotPresent',
    pullSecrets: [secret(`${r.host}/test/app`, 'alice', 'nope'), secret(`https://${r.host}`, 'alice', 's3cret')],
  });
  assert.ok(existsSync(join(pulled.rootfs, 'app')));
  assert.deepEqual(
    r.tokenRequests.slice(before).map((t) => t.user),
    [undefined, 'alice'],
    'the more specific (wrong) secret first, then the host one',
  );
});

test('Basic auth registries get the credentials directly', async () => {
  const r = await registry({ auth: { type: 'basic', users: { bob: 'pw' } } });
  const image = `${r.host}/test/app:v1`;
  await assert.rejects(puller().ensure({ image, pullPolicy: 'IfNotPresent', pullSecrets: [] }), /basic credentials/);
  await assert.rejects(
    puller().ensure({ image, pullPolicy: 'IfNotPresent', pullSecrets: [secret(r.host, 'bob', 'bad')] }),
    /pull access denied, repository does not exist or may require authorization: server message: unauthorized: authentication required/,
  );
  const pulled = await puller().ensure({ image, pullPolicy: 'IfNotPresent', pullSecrets: [secret(r.host, 'bob', 'pw')] });
  assert.ok(existsSync(join(pulled.rootfs, 'etc/os-release')));
});

test('concurrent ensure() of one image: one download of each blob, one rootfs, a Pulled event for each caller', async () => {
  const r = await registry();
  const p = puller();
  const events: PullProgress[] = [];
  const reqs = Array.from({ length: 6 }, (_, i) => ({
    image: `${r.host}/test/app:v1`,
    pullPolicy: (i % 3 === 0 ? 'Always' : 'IfNotPresent') as 'Always' | 'IfNotPresent',
    pullSecrets: [],
  }));
  const results = await Promise.all(reqs.map((q) => p.ensure(q, (e) => events.push(e))));
  assert.equal(new Set(results.map((x) => x.rootfs)).size, 1);
  for (const d of image.blobs.keys()) assert.equal(r.blobGets.get(d), 1, `blob ${d} downloaded once`);
  assert.equal(r.requests.filter((q) => q === 'GET /v2/test/app/manifests/v1').length, 1);
  assert.equal(events.filter((e) => e.type === 'Pulled').length, 6);
  assert.deepEqual(readdirSync(join(dir, `store-${n}`, 'rootfs')).length, 1);
});

test('errors: unknown tag, no platform in the index, bad names, unsupported layers; stale temp work removed', async () => {
  const r = await registry();
  const other = buildImage([await buildLayer([{ name: 'x', data: 'x' }])], {}, { os: 'linux', architecture: 'mips64le' });
  r.add('test/foreign', 'v1', buildIndex([{ image: other, platform: { os: 'linux', architecture: 'mips64le' } }]));
  const p = puller();
  await assert.rejects(
    p.ensure({ image: `${r.host}/test/none`, pullPolicy: 'IfNotPresent', pullSecrets: [] }),
    (err: Error) =>
      err instanceof ImagePullError &&
      err.message === `failed to pull and unpack image "${r.host}/test/none:latest": failed to resolve reference "${r.host}/test/none:latest": ${r.host}/test/none:latest: not found`,
  );
  await assert.rejects(p.ensure({ image: `${r.host}/test/foreign:v1`, pullPolicy: 'IfNotPresent', pullSecrets: [] }), /no match for platform in manifest: not found/);
  await assert.rejects(p.ensure({ image: 'Not A Valid/name', pullPolicy: 'IfNotPresent', pullSecrets: [] }), /invalid reference format/);
  const closed = await freePort('127.0.0.1');
  await assert.rejects(
    p.ensure({ image: `127.0.0.1:${closed}/test/app:v1`, pullPolicy: 'IfNotPresent', pullSecrets: [] }),
    new RegExp(`failed to resolve reference "127\\.0\\.0\\.1:${closed}/test/app:v1": failed to do request: GET "http://127\\.0\\.0\\.1:${closed}/v2/test/app/manifests/v1": connect ECONNREFUSED`),
  );

  const weird = Buffer.from(image.bytes.toString().replace(/vnd\.oci\.image\.layer\.v1\.tar\+gzip/g, 'vnd.example.custom'));
  r.repos.get('test/app')!.manifests.set('weird', { mediaType: 'application/vnd.oci.image.manifest.v1+json', bytes: weird });
  await assert.rejects(p.ensure({ image: `${r.host}/test/app:weird`, pullPolicy: 'IfNotPresent', pullSecrets: [] }), /unsupported media type application\/vnd\.example\.custom/);

  // A registry must not make us hold an unbounded manifest in memory.
  r.repos.get('test/app')!.manifests.set('huge', { mediaType: 'application/vnd.oci.image.manifest.v1+json', bytes: Buffer.alloc(5 << 20, 0x20) });
  await assert.rejects(p.ensure({ image: `${r.host}/test/app:huge`, pullPolicy: 'Always', pullSecrets: [] }), /manifest huge: response larger than 4194304 bytes/);

  // A crashed pull's leftovers (a dead PID) are removed when the store opens.
  const store = join(dir, 'store-crashed');
  await mkdir(join(store, 'tmp', '999999999-rootfs-abc', 'bin'), { recursive: true });
  // A damaged index of references is started afresh (the blobs it named are reused by the next pull).
  await writeFile(join(store, 'refs.json'), '{"refs": {"x": ');
  const q = new OciImagePuller({ dir: store, fetch: loopbackOnlyFetch });
  await q.ensure({ image: `${r.host}/test/app:v1`, pullPolicy: 'IfNotPresent', pullSecrets: [] });
  assert.deepEqual(readdirSync(join(store, 'tmp')), []);
  assert.ok(JSON.parse(readFileSync(join(store, 'refs.json'), 'utf8')).refs[`${r.host}/test/app:v1`]);
});

test('a hostile image fails to unpack and leaves no rootfs; the registry is contacted on loopback only', async () => {
  const r = await registry();
  const evil = buildImage([await buildLayer([{ name: 'loop', type: 'symlink', linkname: 'loop' }, { name: 'loop/x', data: 'x' }])]);
  r.add('test/evil', 'v1', evil);
  const p = puller();
  await assert.rejects(p.ensure({ image: `${r.host}/test/evil:v1`, pullPolicy: 'IfNotPresent', pullSecrets: [] }), /failed to extract layer sha256:[0-9a-f]{64}: too many levels of symbolic links/);
  assert.deepEqual(readdirSync(join(dir, `store-${n}`, 'rootfs')), []);
  assert.deepEqual(readdirSync(join(dir, `store-${n}`, 'tmp')), []);
});
