// pod-template-hash, as upstream's controller.ComputeHash: FNV-1a 32-bit over the pod template,
// then the collisionCount (when set) as 8 little-endian bytes, the sum printed in decimal and
// passed through rand.SafeEncodeString (digits mapped onto consonants and digits that cannot spell
// words). Upstream feeds FNV with go-spew's dump of the Go struct; we feed it a canonical dump of
// the JSON (keys sorted, absent fields absent), so the algorithm and the shape of the names are
// upstream's, the exact values are not (they depend on Go's struct layout, and upstream itself
// never compares them across versions: it finds a Deployment's ReplicaSet by template equality).
import type { PodTemplateSpec } from '../../api/core.js';

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

/** Sorted keys at every level, so equal templates always dump the same way. */
export function canonicalDump(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalDump).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalDump(o[k])}`).join(',')}}`;
}

export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  const h = new Fnv32a();
  h.write(Buffer.from(canonicalDump(template), 'utf8'));
  if (collisionCount !== undefined && collisionCount !== null) {
    const b = Buffer.alloc(8);
    b.writeUInt32LE(collisionCount >>> 0, 0);
    h.write(b);
  }
  return safeEncodeString(String(h.sum32()));
}
