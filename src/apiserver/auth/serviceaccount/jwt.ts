// Compact JWS with RS256, the only form kube-apiserver signs service-account tokens in: what
// square/go-jose does for it (sign, parse, verify), with Node's crypto. Parsing never throws: a
// token is either a well-formed JWS or nothing, as jwt.ParseSigned's error is only logged upstream.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Upstream's keyIDFromPublicKey: the unpadded base64url SHA-256 of the key's PKIX DER. */
  keyID: string;
}

export interface ParsedJWS {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** `<header>.<payload>` as sent: what the signature covers. */
  signingInput: string;
  signature: Buffer;
}

const base64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export function keyIDFromPublicKey(publicKey: KeyObject): string {
  return base64url(createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest());
}

export function signingKey(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyID: keyIDFromPublicKey(publicKey) };
}

/** A compact JWS of `payload`; the header carries the key ID so verifiers can pick the key. */
export function signRS256(key: SigningKey, payload: object): string {
  const header = { alg: 'RS256', kid: key.keyID };
  const input = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  return `${input}.${base64url(sign('sha256', Buffer.from(input), key.privateKey))}`;
}

/** Strict unpadded base64url, as Go's RawURLEncoding decodes it (padding or other letters refuse the token). */
function decodeSegment(s: string): Buffer | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) return undefined;
  return Buffer.from(s, 'base64url');
}

function jsonObject(b: Buffer | undefined): Record<string, unknown> | undefined {
  if (!b) return undefined;
  try {
    const v: unknown = JSON.parse(b.toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The three parts of a compact JWS, or undefined for anything else. */
export function parseJWS(token: string): ParsedJWS | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const header = jsonObject(decodeSegment(parts[0]!));
  const payload = jsonObject(decodeSegment(parts[1]!));
  const signature = decodeSegment(parts[2]!);
  if (!header || !payload || !signature) return undefined;
  return { header, payload, signingInput: `${parts[0]}.${parts[1]}`, signature };
}

/** go-jose's answer when a signature does not verify with a key. */
export const cryptoFailure = 'go-jose/go-jose: error in cryptographic primitive';

/** Undefined when `jws` is an RS256 signature by `publicKey`, else go-jose's error. */
export function verifyRS256(jws: ParsedJWS, publicKey: KeyObject): string | undefined {
  if (jws.header['alg'] !== 'RS256') return 'go-jose/go-jose: unexpected signature algorithm in JWT';
  try {
    return verify('sha256', Buffer.from(jws.signingInput), publicKey, jws.signature) ? undefined : cryptoFailure;
  } catch {
    return cryptoFailure;
  }
}

/** The JWK of an RSA public key, as /openid/v1/jwks publishes it. */
export function publicJWK(key: SigningKey): Record<string, string> {
  const jwk = key.publicKey.export({ format: 'jwk' }) as { n: string; e: string };
  return { use: 'sig', kty: 'RSA', kid: key.keyID, alg: 'RS256', n: jwk.n, e: jwk.e };
}
