// Digests of blobs as the OCI image spec defines them: "sha256:<hex>" over the exact bytes. Only
// sha256 is accepted (every registry serves it; sha512 is allowed by the spec but unused).
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export const DIGEST_RE = /^sha256:[a-f0-9]{64}$/;

export function sha256Digest(data: Uint8Array): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

export function digestHex(digest: string): string {
  if (!DIGEST_RE.test(digest)) throw new Error(`unsupported digest "${digest}"`);
  return digest.slice('sha256:'.length);
}

export class DigestMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`digest mismatch: expected ${expected}, got ${actual}`);
  }
}

/**
 * Passes bytes through while hashing and counting them; fails the stream when more than `size`
 * bytes arrive (a registry must not make us store an unbounded blob) and, at the end, when the
 * size or the digest differ from the descriptor's.
 */
export class VerifyingStream extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  constructor(
    private readonly expected: string,
    private readonly size: number | undefined,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.size !== undefined && this.bytes > this.size) {
      cb(new Error(`blob ${this.expected}: more than the ${this.size} bytes its descriptor gives`));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.size !== undefined && this.bytes !== this.size) {
      cb(new Error(`blob ${this.expected}: got ${this.bytes} bytes, its descriptor gives ${this.size}`));
      return;
    }
    const actual = 'sha256:' + this.hash.digest('hex');
    cb(actual === this.expected ? null : new DigestMismatchError(this.expected, actual));
  }
}
