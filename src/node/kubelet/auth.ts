// The kubelet API's authentication and authorization, as the kubelet configures them under
// kubeadm (--anonymous-auth=false, --authorization-mode=Webhook): a client certificate signed by
// the cluster CA names the caller (CN user, O groups), else a bearer token is checked with a
// TokenReview; then a SubjectAccessReview asks the API server whether the caller may `verb`
// nodes/<subresource> of this node. Both go through the API (a Client), and answers are cached
// for upstream's default TTLs (authentication 2 min; authorization 5 min allowed, 30 s denied).
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AccessReview } from '../../api/authorization.js';
import type { KubeObject } from '../../api/meta.js';
import type { Client, ResourceRef } from '../../client/client.js';

export interface KubeletUser {
  name: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

const tokenReviews: ResourceRef = { group: 'authentication.k8s.io', version: 'v1', resource: 'tokenreviews', namespaced: false, kind: 'TokenReview' };
const subjectAccessReviews: ResourceRef = { group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews', namespaced: false, kind: 'SubjectAccessReview' };

const AUTHN_TTL_MS = 2 * 60_000;
const ALLOWED_TTL_MS = 5 * 60_000;
const DENIED_TTL_MS = 30_000;
/** Entries kept per cache; a full cache starts over rather than grow with hostile callers. */
const CACHE_MAX = 1024;

class TTLCache<V> {
  private readonly m = new Map<string, { v: V; until: number }>();
  get(k: string): V | undefined {
    const e = this.m.get(k);
    if (!e) return undefined;
    if (e.until < Date.now()) return void this.m.delete(k);
    return e.v;
  }
  set(k: string, v: V, ttl: number): void {
    if (this.m.size >= CACHE_MAX) this.m.clear();
    this.m.set(k, { v, until: Date.now() + ttl });
  }
}

/** The kubelet's request attributes: which nodes subresource a path is (auth.go's GetRequestAttributes). */
export function nodeSubresource(path: string): string {
  const under = (p: string) => path === p || path.startsWith(`${p}/`);
  if (under('/stats')) return 'stats';
  if (under('/metrics')) return 'metrics';
  if (under('/logs')) return 'log';
  if (under('/checkpoint')) return 'checkpoint';
  return 'proxy';
}

/** The API verb for an HTTP method, as the kubelet maps it. */
export function kubeletVerb(method: string | undefined): string {
  switch (method) {
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return 'get';
  }
}

function names(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

export class KubeletAuth {
  private readonly tokens = new TTLCache<KubeletUser | null>();
  private readonly decisions = new TTLCache<boolean>();

  constructor(
    private readonly client: Client,
    private readonly nodeName: string,
  ) {}

  /** The caller, or undefined (401): a verified client certificate first, then a bearer token. */
  async authenticate(req: IncomingMessage): Promise<KubeletUser | undefined> {
    const socket = req.socket as TLSSocket;
    if (socket.authorized) {
      const cert = socket.getPeerCertificate();
      const cn = names(cert.subject?.CN)[0];
      if (cn) return { name: cn, groups: [...names(cert.subject?.O), 'system:authenticated'] };
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) return undefined;
    const token = m[1]!;
    const cached = this.tokens.get(token);
    if (cached !== undefined) return cached ?? undefined;
    type TokenReview = KubeObject & { status?: { authenticated?: boolean; user?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> } } };
    const review = await this.client.create<TokenReview>(tokenReviews, undefined, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      metadata: {},
      spec: { token },
    } as TokenReview);
    const u = review.status?.authenticated ? review.status.user : undefined;
    const user: KubeletUser | null = u?.username ? { name: u.username, groups: u.groups ?? [], ...(u.uid ? { uid: u.uid } : {}), ...(u.extra ? { extra: u.extra } : {}) } : null;
    this.tokens.set(token, user, AUTHN_TTL_MS);
    return user ?? undefined;
  }

  /** Whether the API server lets `user` do `verb` on nodes/<subresource> of this node. */
  async authorize(user: KubeletUser, verb: string, subresource: string): Promise<boolean> {
    const key = JSON.stringify([user.name, user.uid, [...user.groups].sort(), user.extra, verb, subresource]);
    const cached = this.decisions.get(key);
    if (cached !== undefined) return cached;
    const review = await this.client.create<AccessReview>(subjectAccessReviews, undefined, {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      metadata: {},
      spec: {
        user: user.name,
        groups: user.groups,
        ...(user.uid ? { uid: user.uid } : {}),
        ...(user.extra ? { extra: user.extra } : {}),
        resourceAttributes: { verb, group: '', version: 'v1', resource: 'nodes', subresource, name: this.nodeName },
      },
    });
    const allowed = review.status?.allowed === true;
    this.decisions.set(key, allowed, allowed ? ALLOWED_TTL_MS : DENIED_TTL_MS);
    return allowed;
  }
}
