// One repository of one registry over the distribution API (GET /v2/<name>/manifests/<ref>,
// GET /v2/<name>/blobs/<digest>), through its mirrors when it has some, authorizing on 401.
import { Readable } from 'node:stream';
import { DigestMismatchError, sha256Digest } from './digest.js';
import { DOCKER_SCHEMA1, MANIFEST_ACCEPT, OCI_INDEX, OCI_MANIFEST } from './media-types.js';
import { authorize, readLimited, readLimitedBytes, RegistryAuthError, type Fetch, type RegistryCredential, type TokenCache } from './registry-auth.js';
import { registryEndpoints, type RegistryEndpoint, type RegistryHostOptions } from './registry-hosts.js';
import { canonicalReference, type ImageReference } from './reference.js';

/** containerd refuses manifests over 4 MiB; so do we. */
const MANIFEST_LIMIT = 4 << 20;
const ERROR_BODY_LIMIT = 64 << 10;
/** How long a request may wait for response headers; a stalled body is cut by fetch's own timeout. */
const HEADERS_TIMEOUT_MS = 30_000;

export class RegistryError extends Error {}
export class ManifestNotFoundError extends RegistryError {}

export interface FetchedManifest {
  mediaType: string;
  digest: string;
  bytes: Buffer;
}

export interface RegistryClientOptions {
  credential?: RegistryCredential;
  tokens: TokenCache;
  hosts?: RegistryHostOptions;
  fetch?: Fetch;
  /**
   * Authorization headers that worked, shared across pulls (keyed by registry, repository and
   * credential), so a later pull skips the 401 round trip until the registry refuses the header.
   */
  authorizations?: Map<string, string>;
}

export class RegistryClient {
  private readonly endpoints: RegistryEndpoint[];
  private readonly authorization: Map<string, string>;
  private readonly doFetch: Fetch;
  /** The endpoint that answered the manifest: blobs come from the same place, as containerd does. */
  private active: RegistryEndpoint | undefined;

  constructor(
    private readonly ref: ImageReference,
    private readonly opts: RegistryClientOptions,
  ) {
    this.endpoints = registryEndpoints(ref.registry, opts.hosts);
    this.doFetch = opts.fetch ?? fetch;
    this.authorization = opts.authorizations ?? new Map();
  }

  private authKey(ep: RegistryEndpoint): string {
    const c = this.opts.credential;
    return JSON.stringify([ep.base, this.ref.repository, c?.username ?? null, c?.password ?? null]);
  }

  /** A manifest or index by tag or digest, its digest checked against what was asked or announced. */
  async getManifest(reference: string): Promise<FetchedManifest> {
    const errors: Error[] = [];
    for (const ep of this.active ? [this.active] : this.endpoints) {
      try {
        const m = await this.getManifestFrom(ep, reference);
        this.active = ep;
        return m;
      } catch (err) {
        // A mirror that fails or lacks the image hands over to the next host, as containerd's resolver does.
        errors.push(err as Error);
      }
    }
    throw errors[errors.length - 1]!;
  }

  private async getManifestFrom(ep: RegistryEndpoint, reference: string): Promise<FetchedManifest> {
    const res = await this.request(ep, `/manifests/${reference}`, MANIFEST_ACCEPT);
    const name = canonicalReference(this.ref);
    if (res.status === 404) {
      await res.body?.cancel().catch(() => {});
      throw new ManifestNotFoundError(`${name}: not found`);
    }
    if (!res.ok) throw await this.statusError(res, 'GET', reference);
    const bytes = await readLimitedBytes(res, MANIFEST_LIMIT).catch((err: Error) => {
      throw new RegistryError(`manifest ${reference}: ${err.message}`);
    });
    const digest = sha256Digest(bytes);
    const expected = reference.startsWith('sha256:') ? reference : res.headers.get('docker-content-digest');
    if (expected && expected.startsWith('sha256:') && expected !== digest) throw new DigestMismatchError(expected, digest);
    return { mediaType: manifestMediaType(res.headers.get('content-type'), bytes), digest, bytes };
  }

  /** A blob's bytes as a stream; the caller verifies them against the descriptor. */
  async openBlob(digest: string): Promise<Readable> {
    const ep = this.active ?? this.endpoints[this.endpoints.length - 1]!;
    const res = await this.request(ep, `/blobs/${digest}`, '*/*');
    if (!res.ok) throw await this.statusError(res, 'GET', digest);
    if (!res.body) throw new RegistryError(`blob ${digest}: empty response`);
    return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
  }

  private async request(ep: RegistryEndpoint, path: string, accept: string): Promise<Response> {
    const url = `${ep.base}/v2/${this.ref.repository}${path}`;
    let res = await this.send(url, accept, this.authorization.get(this.authKey(ep)));
    if (res.status !== 401) return res;
    await res.body?.cancel().catch(() => {});
    let authz: string;
    try {
      authz = await authorize(
        res.headers.get('www-authenticate'),
        `repository:${this.ref.repository}:pull`,
        this.opts.credential,
        this.opts.tokens,
        this.doFetch,
      );
    } catch (err) {
      if (err instanceof RegistryAuthError) throw new RegistryError(`failed to authorize: ${err.message}`);
      throw err;
    }
    this.authorization.set(this.authKey(ep), authz);
    res = await this.send(url, accept, authz);
    return res;
  }

  private async send(url: string, accept: string, authorization: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (authorization) headers.authorization = authorization;
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new Error('timed out waiting for response headers')), HEADERS_TIMEOUT_MS);
    try {
      return await this.doFetch(url, { headers, redirect: 'follow', signal: ctl.signal });
    } catch (err) {
      const cause = (err as { cause?: Error }).cause;
      throw new RegistryError(`failed to do request: GET "${url}": ${cause?.message ?? (err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }

  private async statusError(res: Response, method: string, what: string): Promise<RegistryError> {
    const text = await readLimited(res, ERROR_BODY_LIMIT).catch(() => '');
    let detail = '';
    try {
      const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      const e = body.errors?.[0];
      if (e) detail = `${(e.code ?? '').toLowerCase()}: ${e.message ?? ''}`;
    } catch {
      // not a distribution error body
    }
    if (res.status === 401 || res.status === 403) {
      return new RegistryError(
        `pull access denied, repository does not exist or may require authorization: server message: ${detail || 'authorization failed'}`,
      );
    }
    return new RegistryError(`unexpected status from ${method} request to ${res.url || what}: ${res.status} ${res.statusText}${detail ? `: ${detail}` : ''}`);
  }
}

function manifestMediaType(contentType: string | null, bytes: Buffer): string {
  const ct = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  let parsed: { mediaType?: unknown; manifests?: unknown; schemaVersion?: unknown } = {};
  try {
    parsed = JSON.parse(bytes.toString('utf8')) as typeof parsed;
  } catch {
    throw new RegistryError('manifest is not JSON');
  }
  if (typeof parsed.mediaType === 'string' && parsed.mediaType) return parsed.mediaType;
  if (ct && ct !== 'application/json' && ct !== 'application/octet-stream' && ct !== 'text/plain') return ct;
  if (parsed.schemaVersion === 1) return DOCKER_SCHEMA1[0]!;
  // OCI allows an index or manifest without mediaType: tell them apart by shape.
  return Array.isArray(parsed.manifests) ? OCI_INDEX : OCI_MANIFEST;
}
