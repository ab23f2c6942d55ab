// Builds OCI images in memory, offline, for tests: layers written with tar-stream and compressed
// with node:zlib (or the zstd program), a config and a manifest (and an index over several
// platforms), ready to push to a registry (oci-push.ts) or to serve from a fake one.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import type { OciImageConfig } from '../../src/node/runtime/image-puller.js';
import { OCI_CONFIG, OCI_INDEX, OCI_MANIFEST, type Descriptor, type Platform } from '../../src/node/oci-images/media-types.js';
import { nodePlatform } from '../../src/node/oci-images/platform.js';

export function digestOf(b: Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(b).digest('hex');
}

export interface LayerEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device';
  data?: Buffer | string;
  mode?: number;
  linkname?: string;
  uid?: number;
  gid?: number;
  mtime?: Date;
  devmajor?: number;
  devminor?: number;
}

export interface BuiltLayer extends Descriptor {
  diffID: string;
  blob: Buffer;
}

/** An image (or index) as a registry holds it: its own bytes plus every blob and child manifest. */
export interface BuiltImage {
  mediaType: string;
  bytes: Buffer;
  digest: string;
  blobs: Map<string, Buffer>;
  children: BuiltImage[];
}

const EPOCH = new Date('2026-01-02T03:04:05Z');

export async function tarOf(entries: LayerEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    p.on('end', () => resolve());
    p.on('error', reject);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    const data = type === 'file' ? Buffer.from(e.data ?? '') : undefined;
    await new Promise<void>((resolve, reject) => {
      const header = {
        name: e.name,
        type,
        mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644),
        linkname: e.linkname,
        uid: e.uid ?? 0,
        gid: e.gid ?? 0,
        mtime: e.mtime ?? EPOCH,
        devmajor: e.devmajor,
        devminor: e.devminor,
      };
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (data) p.entry(header, data, cb);
      else p.entry(header, cb);
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function buildLayer(entries: LayerEntry[], compression: 'gzip' | 'zstd' | 'none' = 'gzip'): Promise<BuiltLayer> {
  const tar = await tarOf(entries);
  const blob =
    compression === 'gzip' ? gzipSync(tar) : compression === 'zstd' ? execFileSync('zstd', ['-q', '-c'], { input: tar, maxBuffer: 1 << 28 }) : tar;
  const suffix = compression === 'none' ? '' : `+${compression}`;
  return { mediaType: `application/vnd.oci.image.layer.v1.tar${suffix}`, digest: digestOf(blob), size: blob.length, diffID: digestOf(tar), blob };
}

export function buildImage(layers: BuiltLayer[], config: OciImageConfig = {}, platform: Platform = nodePlatform()): BuiltImage {
  const configBytes = Buffer.from(
    JSON.stringify({
      created: EPOCH.toISOString(),
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      config,
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffID) },
    }),
  );
  const configDesc = { mediaType: OCI_CONFIG, digest: digestOf(configBytes), size: configBytes.length };
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: configDesc,
      layers: layers.map(({ mediaType, digest, size }) => ({ mediaType, digest, size })),
    }),
  );
  const blobs = new Map<string, Buffer>([[configDesc.digest, configBytes]]);
  for (const l of layers) blobs.set(l.digest, l.blob);
  return { mediaType: OCI_MANIFEST, bytes, digest: digestOf(bytes), blobs, children: [] };
}

export function buildIndex(images: { image: BuiltImage; platform: Platform }[]): BuiltImage {
  const bytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: images.map(({ image, platform }) => ({ mediaType: image.mediaType, digest: image.digest, size: image.bytes.length, platform })),
    }),
  );
  return { mediaType: OCI_INDEX, bytes, digest: digestOf(bytes), blobs: new Map(), children: images.map((i) => i.image) };
}

/** Applets the busybox image links to its one binary, as Docker Hub's busybox image does. */
export const BUSYBOX_APPLETS = ['sh', 'httpd', 'ls', 'cat', 'echo', 'wget', 'sleep', 'env', 'id', 'hostname', 'mkdir', 'rm', 'ip', 'readlink', 'test', 'true'];

/**
 * A busybox image from Debian's busybox-static (`/bin/busybox`): one layer with the binary and its
 * applet symlinks; `padBytes` adds an incompressible file to reach a chosen image size.
 */
export async function busyboxImage(opts: { padBytes?: number; config?: OciImageConfig; platform?: Platform } = {}): Promise<BuiltImage> {
  const entries: LayerEntry[] = [
    { name: 'bin/', type: 'directory' },
    { name: 'bin/busybox', data: readFileSync('/bin/busybox'), mode: 0o755 },
    ...BUSYBOX_APPLETS.map((a): LayerEntry => ({ name: `bin/${a}`, type: 'symlink', linkname: 'busybox' })),
    { name: 'etc/', type: 'directory' },
    { name: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' },
    { name: 'etc/group', data: 'root:x:0:\nnogroup:x:65534:\n' },
    { name: 'tmp/', type: 'directory', mode: 0o1777 },
    { name: 'var/www/', type: 'directory' },
    { name: 'var/www/index.html', data: 'hello from busybox\n' },
  ];
  if (opts.padBytes) {
    // Deterministic but incompressible: a hash chain.
    const pad = Buffer.alloc(opts.padBytes);
    let h = createHash('sha256').update('pad').digest();
    for (let i = 0; i < pad.length; i += h.length) {
      h.copy(pad, i);
      h = createHash('sha256').update(h).digest();
    }
    entries.push({ name: 'var/pad.bin', data: pad });
  }
  const config: OciImageConfig = opts.config ?? {
    Cmd: ['sh'],
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    WorkingDir: '/var/www',
  };
  return buildImage([await buildLayer(entries)], config, opts.platform);
}
