// The hashing upstream's controllers name things by: FNV-1a 32-bit, printed in decimal and passed
// through rand.SafeEncodeString (digits mapped onto consonants and digits that cannot spell words).
// pod-template-hash (Deployments) and ControllerRevision names (StatefulSets, DaemonSets) use it.

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

/** The collision count salts a hash as 8 little-endian bytes, so a clash is escaped by counting up. */
export function writeCollisionCount(h: Fnv32a, collisionCount: number | undefined): void {
  if (collisionCount === undefined || collisionCount === null) return;
  const b = Buffer.alloc(8);
  b.writeUInt32LE(collisionCount >>> 0, 0);
  h.write(b);
}
