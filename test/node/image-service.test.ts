// The image service netns nodes pull through: a pull request over a Unix socket answered with the
// puller's progress and image, its two kinds of failure kept apart, and hostile input (not JSON,
// not a request, too long, more than one request) refused without harm to the service.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageNeverPullError, ImagePullError, type ImagePuller, type PullProgress, type PullRequest } from '../../src/node/runtime/image-puller.js';
import { RemoteImagePuller, serveImages, type ImageService } from '../../src/node/runtime/image-service.js';

const seen: PullRequest[] = [];
const fake: ImagePuller = {
  async ensure(req, progress) {
    seen.push(req);
    if (req.image === 'missing:1') throw new ImagePullError('manifest unknown');
    if (req.pullPolicy === 'Never') throw new ImageNeverPullError(`Container image "${req.image}" is not present with pull policy of Never`);
    progress?.({ type: 'Pulling', image: req.image });
    progress?.({ type: 'Pulled', image: req.image, message: 'Successfully pulled image' });
    return { imageID: `${req.image}@sha256:${'a'.repeat(64)}`, rootfs: '/images/x/rootfs', config: { Entrypoint: ['/bin/sh'], Env: ['A=b'] } };
  },
};

/** What the service answers a raw request: its lines, once it closes the connection. */
function raw(path: string, data: string | Buffer): Promise<string[]> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    let out = '';
    s.on('data', (d) => (out += d));
    s.on('error', () => undefined);
    s.on('close', () => resolve(out.split('\n').filter(Boolean)));
    s.on('connect', () => s.write(data));
  });
}

describe('image service', () => {
  let dir: string;
  let svc: ImageService;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubesvc-images-'));
    svc = await serveImages(fake, join(dir, 'image-service.sock'));
  });
  after(async () => {
    await svc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a pull with progress and the image; the socket is the owner\'s alone', async () => {
    assert.equal(statSync(svc.path).mode & 0o777, 0o600);
    const progress: PullProgress[] = [];
    const req: PullRequest = { image: 'busybox:1.36', pullPolicy: 'IfNotPresent', pullSecrets: [{ 'registry.example': { auth: 'dTpw' } }] };
    const image = await new RemoteImagePuller(svc.path).ensure(req, (p) => progress.push(p));
    assert.equal(image.rootfs, '/images/x/rootfs');
    assert.deepEqual(image.config, { Entrypoint: ['/bin/sh'], Env: ['A=b'] });
    assert.deepEqual(progress.map((p) => p.type), ['Pulling', 'Pulled']);
    assert.deepEqual(seen.at(-1), req, 'the pull secrets reach the puller');
  });

  it('keeps ErrImagePull and ErrImageNeverPull apart', async () => {
    const remote = new RemoteImagePuller(svc.path);
    await assert.rejects(remote.ensure({ image: 'missing:1', pullPolicy: 'Always', pullSecrets: [] }), (e: Error) => e instanceof ImagePullError && /manifest unknown/.test(e.message));
    await assert.rejects(remote.ensure({ image: 'x:1', pullPolicy: 'Never', pullSecrets: [] }), (e: Error) => e instanceof ImageNeverPullError && /pull policy of Never/.test(e.message));
  });

  it('refuses what is not a pull request, and keeps serving', async () => {
    const before = seen.length;
    for (const bad of ['not json\n', '{}\n', '{"image":1,"pullPolicy":"Always","pullSecrets":[]}\n', '{"image":"a","pullPolicy":"Sometimes","pullSecrets":[]}\n', '{"image":"a","pullPolicy":"Always","pullSecrets":[null]}\n', 'null\n', '[]\n']) {
      assert.deepEqual(await raw(svc.path, bad), ['{"error":{"kind":"pull","message":"image service: not a pull request"}}'], bad);
    }
    // A request line over 1 MiB, and a second request on one connection, end the connection.
    assert.deepEqual(await raw(svc.path, Buffer.alloc(2 << 20, 'x')), []);
    const two = await raw(svc.path, '{"image":"a:1","pullPolicy":"Always","pullSecrets":[]}\n{"image":"b:1","pullPolicy":"Always","pullSecrets":[]}\n');
    assert.ok(two.length <= 1 || !two.join('').includes('b:1'), two.join('\n'));
    assert.ok(seen.length - before <= 1, 'at most the first request was pulled');
    const image = await new RemoteImagePuller(svc.path).ensure({ image: 'after:1', pullPolicy: 'IfNotPresent', pullSecrets: [] });
    assert.match(image.imageID, /^after:1@sha256:/);
  });

  it('a service that is not there is an ErrImagePull saying so', async () => {
    await assert.rejects(new RemoteImagePuller(join(dir, 'nothing.sock')).ensure({ image: 'a:1', pullPolicy: 'Always', pullSecrets: [] }), (e: Error) => e instanceof ImagePullError && /unreachable/.test(e.message));
  });
});
