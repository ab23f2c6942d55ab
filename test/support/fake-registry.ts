// A small in-memory registry for the cases a real one will not produce: blobs served with the
// wrong bytes, a token server of its own (Bearer flow) or Basic auth, request counting. It speaks
// just enough of the distribution API for pulls (GET/HEAD of manifests and blobs).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BuiltImage } from './oci-image.js';

export interface FakeRegistryOptions {
  /** Bearer: the registry sends clients to its token server; Basic: it asks for the password itself. */
  auth?: { type: 'bearer' | 'basic'; users: Record<string, string>; anonymous?: boolean };
  /** Digests whose blob is served with other bytes of the same length. */
  corruptBlobs?: Set<string>;
  /** Digests whose blob is served with extra bytes after the right ones (a registry that never stops). */
  longBlobs?: Set<string>;
}

interface Repo {
  manifests: Map<string, { mediaType: string; bytes: Buffer }>;
  blobs: Map<string, Buffer>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function basicUser(req: IncomingMessage, users: Record<string, string>): string | undefined | null {
  const h = req.headers.authorization;
  if (!h) return undefined;
  if (!h.startsWith('Basic ')) return null;
  const [user, ...rest] = Buffer.from(h.slice(6), 'base64').toString('utf8').split(':');
  return users[user!] !== undefined && users[user!] === rest.join(':') ? user : null;
}

export class FakeRegistry {
  readonly repos = new Map<string, Repo>();
  readonly requests: string[] = [];
  readonly blobGets = new Map<string, number>();
  readonly tokenRequests: { user?: string; scope: string | null; service: string | null }[] = [];
  private readonly tokens = new Map<string, string | undefined>();
  host = '';
  private authHost = '';
  private readonly server: Server;
  private readonly authServer: Server;

  private constructor(private readonly opts: FakeRegistryOptions) {
    this.server = createServer((req, res) => this.serve(req, res));
    this.authServer = createServer((req, res) => this.serveToken(req, res));
  }

  static async start(opts: FakeRegistryOptions = {}): Promise<FakeRegistry> {
    const r = new FakeRegistry(opts);
    r.host = await listen(r.server);
    r.authHost = await listen(r.authServer);
    return r;
  }

  get url(): string {
    return `http://${this.host}`;
  }

  add(repo: string, tag: string, image: BuiltImage): void {
    const r = this.repos.get(repo) ?? { manifests: new Map(), blobs: new Map() };
    this.repos.set(repo, r);
    const put = (img: BuiltImage) => {
      r.manifests.set(img.digest, { mediaType: img.mediaType, bytes: img.bytes });
      for (const [d, b] of img.blobs) r.blobs.set(d, b);
      img.children.forEach(put);
    };
    put(image);
    r.manifests.set(tag, { mediaType: image.mediaType, bytes: image.bytes });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.authServer.closeAllConnections();
    await Promise.all([new Promise((r) => this.server.close(r)), new Promise((r) => this.authServer.close(r))]);
  }

  private serveToken(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', `http://${this.authHost}`);
    const user = basicUser(req, this.opts.auth?.users ?? {});
    this.tokenRequests.push({ user: user ?? undefined, scope: url.searchParams.get('scope'), service: url.searchParams.get('service') });
    if (user === null || (user === undefined && !this.opts.auth?.anonymous)) {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"details":"incorrect username or password"}');
      return;
    }
    const token = randomBytes(12).toString('hex');
    this.tokens.set(token, user);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
  }

  private authorized(req: IncomingMessage, res: ServerResponse, repo: string): boolean {
    const auth = this.opts.auth;
    if (!auth) return true;
    const h = req.headers.authorization ?? '';
    if (auth.type === 'bearer') {
      if (h.startsWith('Bearer ') && this.tokens.has(h.slice(7))) return true;
      res.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': `Bearer realm="http://${this.authHost}/token",service="fake-registry",scope="repository:${repo}:pull"`,
      });
    } else {
      const user = basicUser(req, auth.users);
      if (user) return true;
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Basic realm="fake-registry"' });
    }
    res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
    return false;
  }

  private serve(req: IncomingMessage, res: ServerResponse): void {
    this.requests.push(`${req.method} ${req.url}`);
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(req.url ?? '');
    if (req.url === '/v2/' || !m) {
      res.writeHead(m ? 404 : 200, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const [, repo, kind, ref] = m as unknown as [string, string, string, string];
    if (!this.authorized(req, res, repo)) return;
    const r = this.repos.get(repo);
    const notFound = () =>
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ errors: [{ code: kind === 'blobs' ? 'BLOB_UNKNOWN' : 'MANIFEST_UNKNOWN', message: 'unknown' }] }));
    if (kind === 'manifests') {
      const man = r?.manifests.get(ref);
      if (!man) return void notFound();
      res.writeHead(200, { 'content-type': man.mediaType, 'content-length': man.bytes.length });
      res.end(req.method === 'HEAD' ? undefined : man.bytes);
      return;
    }
    let blob = r?.blobs.get(ref);
    if (!blob) return void notFound();
    this.blobGets.set(ref, (this.blobGets.get(ref) ?? 0) + 1);
    if (this.opts.corruptBlobs?.has(ref)) {
      blob = Buffer.from(blob);
      blob[blob.length >> 1] ^= 0xff;
    }
    if (this.opts.longBlobs?.has(ref)) blob = Buffer.concat([blob, Buffer.alloc(1 << 20)]);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': blob.length });
    res.end(req.method === 'HEAD' ? undefined : blob);
  }
}
