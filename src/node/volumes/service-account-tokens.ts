// The kubelet's token manager (pkg/kubelet/token): ServiceAccount tokens for projected volumes,
// asked of the TokenRequest subresource (POST serviceaccounts/<name>/token) bound to the pod,
// cached per pod, account, audience and lifetime, and asked again once 80% of the lifetime has
// passed (or after 24 h), as upstream's requiresRefresh.
import type { Pod } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';
import type { Client } from '../../client/client.js';
import { R } from '../../client/resources.js';
import { isStatusError } from '../../machinery/status.js';
import type { ServiceAccountTokenProjection } from './projections.js';

const maxTTLMs = 24 * 3600_000;
/** How long a server without TokenRequest is not asked again (every sync would otherwise ask). */
const unservedRetryMs = 60_000;

interface TokenRequest extends KubeObject {
  spec: { audiences: string[]; expirationSeconds?: number; boundObjectRef?: { apiVersion: string; kind: string; name: string; uid: string } };
  status?: { token?: string; expirationTimestamp?: string };
}

interface Cached {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

/** When a token should be asked for again: 80% of its lifetime, or 24 h, whichever comes first. */
export function refreshAt(t: { issuedAt: number; expiresAt: number }): number {
  return Math.min(t.issuedAt + 0.8 * (t.expiresAt - t.issuedAt), t.issuedAt + maxTTLMs);
}

export class ServiceAccountTokens {
  private readonly cache = new Map<string, Cached>();
  private unservedUntil = 0;
  private unservedMessage = '';

  constructor(
    private readonly client: Client,
    /** The API server does not serve serviceaccounts/token (yet): told once per pod. */
    private readonly unserved: (pod: Pod, message: string) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  private key(pod: Pod, p: ServiceAccountTokenProjection): string {
    return [pod.metadata.uid, pod.metadata.namespace, pod.spec.serviceAccountName ?? 'default', p.audience ?? '', p.expirationSeconds ?? 3600].join('\x00');
  }

  /** The token for this projection; undefined only when the API server has no TokenRequest. */
  async token(pod: Pod, p: ServiceAccountTokenProjection): Promise<string | undefined> {
    const key = this.key(pod, p);
    const cached = this.cache.get(key);
    if (cached && this.now() < refreshAt(cached)) return cached.token;
    if (this.now() < this.unservedUntil) {
      this.unserved(pod, this.unservedMessage);
      return undefined;
    }
    const sa = pod.spec.serviceAccountName || 'default';
    const req: TokenRequest = {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      metadata: { name: sa, namespace: pod.metadata.namespace },
      spec: {
        audiences: p.audience ? [p.audience] : [],
        expirationSeconds: p.expirationSeconds ?? 3600,
        boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
      },
    };
    let res: TokenRequest;
    try {
      res = await this.client.create<TokenRequest>(R.serviceaccounts, pod.metadata.namespace, req, { subresource: 'token' });
    } catch (e) {
      // A 404 that names no object is the route itself missing: this server has no TokenRequest.
      if (isStatusError(e) && e.code === 404 && !e.details?.name) {
        this.unservedUntil = this.now() + unservedRetryMs;
        this.unservedMessage = `the API server does not serve serviceaccounts/token: ${e.message}`;
        this.unserved(pod, this.unservedMessage);
        return undefined;
      }
      // A cached token still valid is better than none while the API server is unreachable.
      if (cached && this.now() < cached.expiresAt) return cached.token;
      throw e;
    }
    const token = res.status?.token;
    if (!token) throw new Error('TokenRequest answered without a token');
    const issuedAt = this.now();
    const exp = Date.parse(res.status?.expirationTimestamp ?? '');
    const expiresAt = Number.isFinite(exp) ? exp : issuedAt + (p.expirationSeconds ?? 3600) * 1000;
    this.cache.set(key, { token, issuedAt, expiresAt });
    return token;
  }

  /** The earliest time one of the pod's tokens must be asked for again. */
  nextRefresh(podUID: string): number | undefined {
    let next: number | undefined;
    for (const [k, c] of this.cache) if (k.startsWith(`${podUID}\x00`)) next = Math.min(next ?? Infinity, refreshAt(c));
    return next;
  }

  forget(podUID: string): void {
    for (const k of [...this.cache.keys()]) if (k.startsWith(`${podUID}\x00`)) this.cache.delete(k);
  }
}
