// A stored layer blob as an uncompressed tar stream. The compression is read from the blob's
// first bytes (registries and old builders mislabel media types; the magic numbers don't lie):
// gzip through node:zlib; zstd through the zstd program (Debian's `zstd`), since Node 20's zlib
// has none; anything else is taken as plain tar.
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

const CHUNK = 256 << 10;

export class UnsupportedLayerError extends Error {}

export type Compression = 'gzip' | 'zstd' | 'none';

export async function detectCompression(file: string): Promise<Compression> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    if (bytesRead >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && buf.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'none';
  } finally {
    await fh.close();
  }
}

export async function openLayer(file: string, digest: string): Promise<Readable> {
  const kind = await detectCompression(file);
  // Larger chunks than the 16/64 KiB defaults: every chunk of a file entry is one awaited write.
  if (kind === 'gzip') return createReadStream(file, { highWaterMark: CHUNK }).pipe(createGunzip({ chunkSize: CHUNK }));
  if (kind === 'none') return createReadStream(file, { highWaterMark: CHUNK });
  return zstdStream(file, digest);
}

function zstdStream(file: string, digest: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const child = spawn('zstd', ['-d', '-c', '-q', '--', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = new PassThrough();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 4096) stderr += d;
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      const msg =
        err.code === 'ENOENT'
          ? `layer ${digest} is zstd-compressed and this node has no zstd decompressor (install the zstd package)`
          : `layer ${digest}: zstd: ${err.message}`;
      reject(new UnsupportedLayerError(msg));
      out.destroy(new UnsupportedLayerError(msg));
    });
    child.on('spawn', () => resolve(out));
    child.stdout.pipe(out, { end: false });
    // A consumer that gives up (a bad entry, a digest mismatch) must not leave zstd running.
    out.on('close', () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.on('close', (code) => {
      if (code === 0) out.end();
      else out.destroy(new Error(`layer ${digest}: zstd exited ${code}: ${stderr.trim()}`));
    });
  });
}
