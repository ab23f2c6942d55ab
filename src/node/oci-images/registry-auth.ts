// Authorization for registry requests, as the distribution spec's token flow and containerd's
// docker authorizer do it: a 401 names a Bearer realm (ask it for a token for the repository's
// pull scope, with Basic credentials when we have some, anonymously otherwise) or Basic (send the
// credentials). Tokens are cached until they expire, so later pulls skip the round trip.
import { parseChallenges } from './auth-challenge.js';

export interface RegistryCredential {
  username: string;
  password: string;
}

export class RegistryAuthError extends Error {}

interface CachedToken {
  value: string;
  expiresAt: number;
}

/** Tokens are valid for 60 s unless the server says otherwise (the token spec's default). */
const DEFAULT_TOKEN_SECONDS = 60;
const TOKEN_BODY_LIMIT = 1 << 20;

export class TokenCache {
  private readonly tokens = new Map<string, CachedToken>();

  get(key: string, now = Date.now()): string | undefined {
    const t = this.tokens.get(key);
    if (t && t.expiresAt > now) return t.value;
    this.tokens.delete(key);
    return undefined;
  }

  set(key: string, value: string, seconds: number, now = Date.now()): void {
    // Renew a little early so a token does not expire between the check and the registry's.
    this.tokens.set(key, { value, expiresAt: now + Math.max(1, seconds - 5) * 1000 });
  }
}

export function basicAuthorization(cred: RegistryCredential): string {
  return 'Basic ' + Buffer.from(`${cred.username}:${cred.password}`).toString('base64');
}

export type Fetch = typeof fetch;

/**
 * The Authorization header that answers a 401's challenges, or a RegistryAuthError saying why none can.
 * `scope` is the one the request needs ("repository:library/busybox:pull").
 */
export async function authorize(
  header: string | null,
  scope: string,
  cred: RegistryCredential | undefined,
  cache: TokenCache,
  doFetch: Fetch,
): Promise<string> {
  const challenges = parseChallenges(header);
  const bearer = challenges.find((c) => c.scheme === 'bearer');
  if (bearer) {
    const realm = bearer.params.realm;
    if (!realm) throw new RegistryAuthError('bearer challenge without a realm');
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new RegistryAuthError(`bearer realm "${realm}" is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new RegistryAuthError(`bearer realm "${realm}" is not HTTP`);
    if (bearer.params.service) url.searchParams.set('service', bearer.params.service);
    // The registry's own scope, when it names one, is what it will check.
    url.searchParams.set('scope', bearer.params.scope || scope);
    const key = `${url.toString()}|${cred?.username ?? ''}|${cred?.password ?? ''}`;
    const cached = cache.get(key);
    if (cached) return `Bearer ${cached}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (cred) headers.authorization = basicAuthorization(cred);
    let res: Response;
    try {
      res = await doFetch(url, { headers, signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      throw new RegistryAuthError(`failed to fetch anonymous token: ${(err as Error).message}`);
    }
    const text = await readLimited(res, TOKEN_BODY_LIMIT);
    if (!res.ok) {
      throw new RegistryAuthError(
        `failed to fetch ${cred ? 'oauth' : 'anonymous'} token: unexpected status from GET request to ${url.origin}${url.pathname}: ${res.status} ${res.statusText}`,
      );
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new RegistryAuthError(`token server ${url.origin} answered with no JSON`);
    }
    const token = typeof body.token === 'string' && body.token ? body.token : body.access_token;
    if (typeof token !== 'string' || !token) throw new RegistryAuthError(`token server ${url.origin} gave no token`);
    const seconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : DEFAULT_TOKEN_SECONDS;
    cache.set(key, token, seconds);
    return `Bearer ${token}`;
  }
  if (challenges.some((c) => c.scheme === 'basic')) {
    if (!cred) throw new RegistryAuthError('registry asks for basic credentials and none were given');
    return basicAuthorization(cred);
  }
  throw new RegistryAuthError(`unsupported authorization challenge ${JSON.stringify(header ?? '')}`);
}

/** A response body as text, refusing more than `limit` bytes (a hostile server must not exhaust memory). */
export async function readLimited(res: Response, limit: number): Promise<string> {
  return (await readLimitedBytes(res, limit)).toString('utf8');
}

export async function readLimitedBytes(res: Response, limit: number): Promise<Buffer> {
  if (!res.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > limit) {
      await res.body.cancel().catch(() => {});
      throw new Error(`response larger than ${limit} bytes`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
