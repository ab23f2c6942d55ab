// The one piece of node:crypto the proxy's rule rendering uses (sha256 for chain names, see
// src/util/sha256-base32.ts), for the browser bundle: scripts/bundle.mjs points node:crypto here.
// Same digest, from @noble/hashes (audited, dependency-free) instead of OpenSSL.
import { sha256 } from '@noble/hashes/sha2.js';

export function createHash(algorithm: string) {
  if (algorithm !== 'sha256') throw new Error(`the live view bundles only sha256, not ${algorithm}`);
  const h = sha256.create();
  return {
    update(text: string) {
      h.update(new TextEncoder().encode(text));
      return this;
    },
    digest(): Uint8Array {
      return h.digest();
    },
  };
}
