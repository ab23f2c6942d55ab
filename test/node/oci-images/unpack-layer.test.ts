// Layers applied onto a rootfs: whiteouts and opaque directories across layers, hard links,
// symlinks, modes, ownership and mtimes, devices, zstd; and hostile layers that try to write or
// link outside the rootfs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { applyLayer } from '../../../src/node/oci-images/unpack-layer.js';
import { openLayer } from '../../../src/node/oci-images/layer-decompress.js';
import { buildLayer, tarOf, type LayerEntry } from '../../support/oci-image.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ociimage-unpack-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const isRoot = process.getuid?.() === 0;

async function apply(root: string, entries: LayerEntry[], privileged?: boolean): Promise<void> {
  await applyLayer(root, Readable.from([await tarOf(entries)]), { privileged });
}

async function freshRoot(name: string): Promise<string> {
  const root = join(dir, name, 'rootfs');
  await mkdir(root, { recursive: true });
  return root;
}

test('whiteouts remove lower entries, opaque dirs keep only their own layer, hard links and symlinks', async () => {
  const root = await freshRoot('layers');
  const old = new Date('2020-05-06T07:08:09Z');
  await apply(root, [
    { name: 'a/', type: 'directory' },
    { name: 'a/keep', data: 'keep' },
    { name: 'a/gone', data: 'gone' },
    { name: 'a/sub/', type: 'directory' },
    { name: 'a/sub/deep', data: 'deep' },
    { name: 'b/', type: 'directory', mode: 0o750, mtime: old },
    { name: 'b/x', data: 'x' },
    { name: 'b/y/', type: 'directory' },
    { name: 'b/y/z', data: 'z' },
    { name: 'c', data: 'c1', mode: 0o640, mtime: old },
    { name: 'd', type: 'link', linkname: 'c' },
    { name: 'e', type: 'symlink', linkname: '/c' },
    { name: 'f', type: 'fifo', mode: 0o600 },
  ]);
  assert.equal(statSync(join(root, 'd')).ino, statSync(join(root, 'c')).ino);
  assert.equal(readlinkSync(join(root, 'e')), '/c');
  assert.ok(lstatSync(join(root, 'f')).isFIFO());
  assert.equal(statSync(join(root, 'c')).mode & 0o7777, 0o640);
  assert.equal(statSync(join(root, 'c')).mtime.getTime(), old.getTime());
  // Directory metadata is set after its entries were written.
  assert.equal(statSync(join(root, 'b')).mtime.getTime(), old.getTime());
  assert.equal(statSync(join(root, 'b')).mode & 0o777, isRoot ? 0o750 : 0o750 | 0o700);

  await apply(root, [
    { name: 'a/.wh.gone', data: '' },
    { name: 'a/.wh.sub', data: '' },
    { name: 'b/', type: 'directory' },
    { name: 'b/new', data: 'new' },
    { name: 'b/.wh..wh..opq', data: '' },
    { name: 'c', data: 'c2' },
    { name: 'e/', type: 'directory' },
    { name: '.wh..wh.plnk/', type: 'directory' },
  ]);
  assert.deepEqual(readdirSync(join(root, 'a')).sort(), ['keep']);
  assert.deepEqual(readdirSync(join(root, 'b')).sort(), ['new']);
  assert.equal(readFileSync(join(root, 'c'), 'utf8'), 'c2');
  // The hard link kept the old inode: a replaced file is a new file.
  assert.equal(readFileSync(join(root, 'd'), 'utf8'), 'c1');
  assert.ok(statSync(join(root, 'e')).isDirectory() && !lstatSync(join(root, 'e')).isSymbolicLink());
  assert.ok(!readdirSync(root).some((n) => n.startsWith('.wh.')));
});

test('ownership, setuid bits and device nodes only when privileged', { skip: !isRoot && 'needs root' }, async () => {
  const entries: LayerEntry[] = [
    { name: 'bin/', type: 'directory' },
    { name: 'bin/su', data: '#!', mode: 0o4755, uid: 0, gid: 0 },
    { name: 'home/', type: 'directory' },
    { name: 'home/u', data: 'u', uid: 1234, gid: 5678 },
    { name: 'dev/', type: 'directory' },
    { name: 'dev/null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3 },
  ];
  const priv = await freshRoot('priv');
  await apply(priv, entries, true);
  assert.equal(statSync(join(priv, 'bin/su')).mode & 0o7777, 0o4755);
  assert.equal(statSync(join(priv, 'home/u')).uid, 1234);
  assert.equal(statSync(join(priv, 'home/u')).gid, 5678);
  assert.ok(statSync(join(priv, 'dev/null')).isCharacterDevice());
  const unpriv = await freshRoot('unpriv');
  await apply(unpriv, entries, false);
  assert.equal(statSync(join(unpriv, 'home/u')).uid, process.getuid!());
  assert.ok(!existsSync(join(unpriv, 'dev/null')));
});

test('a hostile layer writes and links nothing outside the rootfs', async () => {
  const root = await freshRoot('hostile');
  const outside = join(dir, 'hostile', 'outside');
  await mkdir(outside);
  await writeFile(join(outside, 'target'), 'precious');
  await apply(root, [
    { name: 'etc/', type: 'directory' },
    { name: 'etc/hostname', data: 'container' },
    { name: '../outside/escape1', data: 'x' },
    { name: '/abs-file', data: 'x' },
    { name: 'rel-link', type: 'symlink', linkname: '../outside' },
    { name: 'rel-link/escape2', data: 'x' },
    { name: 'abs-link', type: 'symlink', linkname: outside },
    { name: 'abs-link/escape3', data: 'x' },
    { name: 'victim', type: 'symlink', linkname: join(outside, 'target') },
    { name: 'victim', data: 'overwritten' },
    { name: 'hl', type: 'link', linkname: '../../../../etc/hostname' },
    { name: 'a/b/../../../../outside/escape4', data: 'x' },
  ]);
  assert.deepEqual(readdirSync(outside), ['target']);
  assert.equal(readFileSync(join(outside, 'target'), 'utf8'), 'precious');
  // Clamped to the rootfs, as containerd's RootPath resolves them.
  assert.ok(existsSync(join(root, 'outside/escape1')));
  assert.ok(existsSync(join(root, 'outside/escape4')));
  assert.ok(existsSync(join(root, 'abs-file')));
  assert.equal(readFileSync(join(root, 'outside/escape2'), 'utf8'), 'x');
  assert.ok(existsSync(join(root, outside, 'escape3')));
  assert.ok(!lstatSync(join(root, 'victim')).isSymbolicLink());
  assert.equal(readFileSync(join(root, 'victim'), 'utf8'), 'overwritten');
  assert.equal(readFileSync(join(root, 'hl'), 'utf8'), 'container');
  assert.equal(statSync(join(root, 'hl')).ino, statSync(join(root, 'etc/hostname')).ino);
});

test('hostile links that cannot be resolved fail the layer without escaping', async () => {
  const root = await freshRoot('hostile2');
  await assert.rejects(apply(root, [{ name: 'hl', type: 'link', linkname: '/etc/passwd' }]), /does not exist/);
  await assert.rejects(
    apply(root, [
      { name: 'loop', type: 'symlink', linkname: 'loop' },
      { name: 'loop/x', data: 'x' },
    ]),
    /too many levels of symbolic links/,
  );
  await assert.rejects(apply(root, [{ name: 'hd', type: 'link', linkname: '/' }]), /root directory/);
  // Whiteouts naming the directory itself or its parent would remove the rootfs or what holds it.
  const sentinel = join(dir, 'hostile2', 'sentinel');
  await writeFile(sentinel, 'still here');
  for (const name of ['.wh...', '.wh..', 'a/../.wh...']) {
    await assert.rejects(apply(root, [{ name, data: '' }]), /invalid whiteout/, name);
  }
  await apply(root, [{ name: '.wh.', type: 'directory' }]).catch(() => {});
  assert.equal(readFileSync(sentinel, 'utf8'), 'still here');
  assert.ok(existsSync(root));
  await assert.rejects(applyLayer(root, Readable.from([Buffer.from('this is not a tar archive'.repeat(40))])));
});

test('gzip, zstd and plain layers are read by their magic bytes', async () => {
  // zstd layers go through Debian's zstd program; without it only gzip and plain are checked.
  const zstd = ['/usr/bin/zstd', '/bin/zstd'].some((p) => existsSync(p));
  for (const compression of zstd ? (['gzip', 'zstd', 'none'] as const) : (['gzip', 'none'] as const)) {
    const layer = await buildLayer([{ name: 'hello', data: `from ${compression}` }], compression);
    const blob = join(dir, `blob-${compression}`);
    await writeFile(blob, layer.blob);
    const root = await freshRoot(`c-${compression}`);
    await applyLayer(root, await openLayer(blob, layer.digest));
    assert.equal(readFileSync(join(root, 'hello'), 'utf8'), `from ${compression}`);
  }
});
