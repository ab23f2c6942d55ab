// pod-template-hash, as upstream's controller.ComputeHash: FNV-1a 32-bit over go-spew's `%#v` dump
// of the pod template (go-dump.ts), then the collisionCount (when set) as 8 little-endian bytes, the
// sum printed in decimal and passed through rand.SafeEncodeString (digits mapped onto consonants
// and digits that cannot spell words). Nothing depends on the value being upstream's to the bit:
// a Deployment finds its ReplicaSet by template equality, never by recomputing the hash.
import type { PodTemplateSpec } from '../../api/core.js';
import { dumpPodTemplateSpec } from './go-dump.js';

const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: each byte picks a character of the safe alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += alphanums[b % alphanums.length];
  return out;
}

export class Fnv32a {
  private h = 0x811c9dc5;
  write(bytes: Uint8Array): void {
    for (const b of bytes) {
      this.h ^= b;
      this.h = Math.imul(this.h, 0x01000193) >>> 0;
    }
  }
  sum32(): number {
    return this.h >>> 0;
  }
}

export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  const h = new Fnv32a();
  h.write(Buffer.from(dumpPodTemplateSpec(template), 'utf8'));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(collisionCount >>> 0, 0);
    h.write(b);
  }
  return safeEncodeString(String(h.sum32()));
}
