// The hash upstream names things by (the proxy modes' per-Service chains, the API server identity
// Lease): the first characters of the RFC 4648 base32 (Go's base32.StdEncoding) encoding of
// sha256(text).
import { createHash } from 'node:crypto';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The first `chars` base32 characters of sha256(text); only the bytes needed are encoded. */
export function sha256Base32(text: string, chars: number): string {
  const bytes = createHash('sha256').update(text).digest();
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const b of bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
      if (out.length === chars) return out;
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}
