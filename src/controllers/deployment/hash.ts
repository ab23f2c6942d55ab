// pod-template-hash, as upstream's controller.ComputeHash: FNV-1a 32-bit over go-spew's `%#v` dump
// of the pod template (go-dump.ts), then the collisionCount (when set) as 8 little-endian bytes, the
// sum printed in decimal and passed through rand.SafeEncodeString (digits mapped onto consonants
// and digits that cannot spell words). Nothing depends on the value being upstream's to the bit:
// a Deployment finds its ReplicaSet by template equality, never by recomputing the hash.
import type { PodTemplateSpec } from '../../api/core.js';
import { Fnv32a, safeEncodeString, writeCollisionCount } from '../common/hash.js';
import { dumpPodTemplateSpec } from './go-dump.js';

export { Fnv32a, safeEncodeString } from '../common/hash.js';

export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  const h = new Fnv32a();
  h.write(Buffer.from(dumpPodTemplateSpec(template), 'utf8'));
  writeCollisionCount(h, collisionCount);
  return safeEncodeString(String(h.sum32()));
}
