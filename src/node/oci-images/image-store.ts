// The node's image store, shared by every pod (containerd's content store and snapshots, in the
// data dir):
//   DIR/blobs/sha256/<hex>     manifests, configs and layers, by digest
//   DIR/rootfs/<config hex>/   one unpacked root filesystem per image config
//   DIR/refs.json              image references → digests
//   DIR/tmp/<pid>-…            work in progress
// Everything is written under tmp/ and renamed into place once complete, so after a crash a blob
// or rootfs is either whole or absent; tmp/ entries of processes no longer running are removed at
// start. Work on one digest is done once however many callers ask at the same time.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createWriteStream } from 'node:fs';
import { digestHex, DigestMismatchError, sha256Digest, VerifyingStream } from './digest.js';

/** What the store knows of a reference it has pulled. */
export interface ImageRecord {
  /** "docker.io/library/busybox" */
  name: string;
  /** The digest the reference resolved to (an index or a manifest): status.imageID's. */
  digest: string;
  /** This platform's manifest. */
  manifest: string;
  config: string;
  /** Manifest, config and layers as stored (compressed), the size the Pulled event reports. */
  size: number;
}

interface RefsFile {
  refs: Record<string, ImageRecord>;
}

export class ImageStore {
  private refs: Record<string, ImageRecord> = {};
  private readonly inflight = new Map<string, Promise<void>>();
  private refsWrite: Promise<void> = Promise.resolve();
  private readonly tmpDir: string;

  constructor(readonly dir: string) {
    this.tmpDir = join(dir, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(join(this.dir, 'blobs', 'sha256'), { recursive: true });
    await mkdir(join(this.dir, 'rootfs'), { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    await this.removeStaleTemp();
    try {
      const parsed = JSON.parse(await readFile(join(this.dir, 'refs.json'), 'utf8')) as Partial<RefsFile>;
      if (parsed && typeof parsed.refs === 'object' && parsed.refs) this.refs = parsed.refs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.refs = {};
    }
  }

  /** Work left by a crashed process: never used, since it was never renamed into place. */
  private async removeStaleTemp(): Promise<void> {
    for (const name of await readdir(this.tmpDir)) {
      const pid = Number(name.split('-')[0]);
      // Another puller of this process, or of another live one, may be working there.
      if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || alive(pid))) continue;
      await rm(join(this.tmpDir, name), { recursive: true, force: true });
    }
  }

  private tempPath(kind: string): string {
    return join(this.tmpDir, `${process.pid}-${kind}-${randomBytes(6).toString('hex')}`);
  }

  blobPath(digest: string): string {
    return join(this.dir, 'blobs', 'sha256', digestHex(digest));
  }

  rootfsPath(configDigest: string): string {
    return join(this.dir, 'rootfs', digestHex(configDigest));
  }

  async hasBlob(digest: string, size?: number): Promise<boolean> {
    const s = await stat(this.blobPath(digest)).catch(() => undefined);
    return !!s && s.isFile() && (size === undefined || s.size === size);
  }

  async hasRootfs(configDigest: string): Promise<boolean> {
    const s = await stat(this.rootfsPath(configDigest)).catch(() => undefined);
    return !!s && s.isDirectory();
  }

  /** Stores a blob from `open()` unless present; its bytes are checked against digest and size. */
  async fetchBlob(digest: string, size: number, open: () => Promise<Readable>): Promise<void> {
    await this.once(`blob:${digest}`, async () => {
      if (await this.hasBlob(digest, size)) return;
      const tmp = this.tempPath('blob');
      try {
        await pipeline(await open(), new VerifyingStream(digest, size), createWriteStream(tmp, { mode: 0o644 }));
        await rename(tmp, this.blobPath(digest));
      } finally {
        await rm(tmp, { force: true });
      }
    });
  }

  /** Stores bytes already in memory (a manifest), checked against their digest. */
  async putBlob(digest: string, bytes: Buffer): Promise<void> {
    const actual = sha256Digest(bytes);
    if (actual !== digest) throw new DigestMismatchError(digest, actual);
    if (await this.hasBlob(digest, bytes.length)) return;
    const tmp = this.tempPath('blob');
    await writeFile(tmp, bytes, { mode: 0o644 });
    await rename(tmp, this.blobPath(digest));
  }

  /** A small stored blob (manifest, config), re-checked against its digest: disks do lose bytes. */
  async readBlob(digest: string): Promise<Buffer> {
    const bytes = await readFile(this.blobPath(digest));
    const actual = sha256Digest(bytes);
    if (actual !== digest) throw new DigestMismatchError(digest, actual);
    return bytes;
  }

  /** Builds the rootfs of `configDigest` with `unpack(dir)` unless present; only a finished one is kept. */
  async ensureRootfs(configDigest: string, unpack: (dir: string) => Promise<void>): Promise<string> {
    const dest = this.rootfsPath(configDigest);
    await this.once(`rootfs:${configDigest}`, async () => {
      if (await this.hasRootfs(configDigest)) return;
      const tmp = this.tempPath('rootfs');
      try {
        await mkdir(tmp, { mode: 0o755 });
        await unpack(tmp);
        await rename(tmp, dest);
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    });
    return dest;
  }

  getRef(ref: string): ImageRecord | undefined {
    return Object.prototype.hasOwnProperty.call(this.refs, ref) ? this.refs[ref] : undefined;
  }

  /** Records `record` under each of `refs` (a tag reference and the digest it resolved to). */
  async setRefs(refs: string[], record: ImageRecord): Promise<void> {
    this.refs = { ...this.refs, ...Object.fromEntries(refs.map((r) => [r, record])) };
    const write = async () => {
      const tmp = this.tempPath('refs');
      await writeFile(tmp, JSON.stringify({ refs: this.refs }, null, 1) + '\n', { mode: 0o644 });
      await rename(tmp, join(this.dir, 'refs.json'));
    };
    // Writes in call order, each with the latest refs: the file never goes back in time.
    this.refsWrite = this.refsWrite.then(write, write);
    await this.refsWrite;
  }

  private once(key: string, work: () => Promise<void>): Promise<void> {
    const running = this.inflight.get(key);
    if (running) return running;
    const p = work().finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
