// Request authentication as kube-apiserver's chain runs it: the client certificate, a bearer
// token in the Authorization header, a bearer token in a WebSocket subprotocol (browsers cannot
// set headers on WebSockets), unioned: the first that names a user wins, and a credential that is
// present but bad answers 401 rather than being read as no credential at all (upstream's
// union.NewFailOnError in front of the anonymous authenticator). A request with no credential is
// system:anonymous when anonymous requests are allowed (--anonymous-auth, default true), whom the
// default RBAC policy lets read only /healthz, /livez, /readyz and /version.
import { aggregateMessages } from '../../machinery/labels/requirement.js';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { errors } from '../../machinery/status.js';
import { type ServiceAccountTokenAuthenticator, type TokenResult } from './serviceaccount/authenticator.js';
import { allUnauthenticated, anonymousUser, type UserInfo } from './user.js';
import { certificateError, userFromClientCertificate } from './x509.js';

const invalidBearerToken = 'invalid bearer token';
const bearerProtocolPrefix = 'base64url.bearer.authorization.k8s.io.';

type Outcome = { user: UserInfo; audiences?: string[] } | { error: string } | undefined;

/** A token authenticator that knows nothing of audiences (the bootstrap token one): its tokens stand for the API's own. */
export interface AudienceAgnosticTokenAuthenticator {
  authenticate(token: string): TokenResult;
}

export interface TokenReviewResult {
  authenticated: boolean;
  user?: UserInfo;
  audiences?: string[];
  error?: string;
}

export class Authentication {
  constructor(
    private readonly tokens: ServiceAccountTokenAuthenticator | undefined,
    /** --anonymous-auth. */
    readonly anonymous = true,
    /** Tried after the ServiceAccount tokens, in order. */
    private readonly others: AudienceAgnosticTokenAuthenticator[] = [],
    /** --api-audiences: what the others' tokens are good for. */
    private readonly apiAudiences: string[] = [],
  ) {}

  /** Who sent `req`; throws upstream's 401 `Unauthorized` for bad credentials, or none when anonymous requests are off. */
  authenticate(req: IncomingMessage): UserInfo {
    const errs: string[] = [];
    for (const outcome of [this.fromCertificate(req), this.fromAuthorizationHeader(req), this.fromWebSocketProtocol(req)]) {
      if (outcome === undefined) continue;
      if ('user' in outcome) return outcome.user;
      errs.push(outcome.error);
    }
    if (errs.length || !this.anonymous) throw errors.unauthorized();
    return { name: anonymousUser, groups: [allUnauthenticated] };
  }

  /**
   * A TokenReview's answer: the token as a bearer token of a request that carries nothing else.
   * Upstream's chain starts with the loopback client's own token authenticator, which says
   * "invalid bearer token" to every other token: that is why its errors read `[invalid bearer token, …]`.
   */
  reviewToken(token: string, audiences: string[] | undefined): TokenReviewResult {
    const r = this.tokens?.authenticate(token, audiences?.length ? audiences : undefined);
    if (r?.ok) return { authenticated: true, user: r.user, audiences: r.audiences };
    // As upstream's WrapAudienceAgnosticToken: good for the audiences asked for that the API has.
    const granted = audiences?.length ? audiences.filter((a) => this.apiAudiences.includes(a)) : this.apiAudiences;
    const other = this.fromOthers(token);
    if (other?.ok && granted.length) return { authenticated: true, user: other.user, audiences: granted };
    return { authenticated: false, error: aggregateMessages([invalidBearerToken, r?.error ?? invalidBearerToken]) };
  }

  private fromCertificate(req: IncomingMessage): Outcome {
    const socket = req.socket as TLSSocket;
    const err = certificateError(socket);
    if (err) return { error: err };
    const user = userFromClientCertificate(socket);
    return user ? { user } : undefined;
  }

  private fromToken(token: string): Outcome {
    const r = this.tokens?.authenticate(token);
    if (r?.ok) return { user: r.user, audiences: r.audiences };
    // A token the ServiceAccount authenticator called its own but refused is refused outright.
    if (r?.error === undefined) {
      const other = this.fromOthers(token);
      if (other?.ok) return { user: other.user, audiences: this.apiAudiences };
    }
    return { error: r?.error ?? invalidBearerToken };
  }

  private fromOthers(token: string): TokenResult | undefined {
    for (const a of this.others) {
      const r = a.authenticate(token);
      if (r.ok || r.error !== undefined) return r;
    }
    return undefined;
  }

  /** bearertoken.Authenticator: `Authorization: Bearer <token>`, the scheme in any case. */
  private fromAuthorizationHeader(req: IncomingMessage): Outcome {
    const auth = (req.headers.authorization ?? '').trim();
    if (auth === '') return undefined;
    const parts = auth.split(' ');
    if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer') return undefined;
    const token = parts[1]!;
    if (token === '') return undefined;
    return this.fromToken(token);
  }

  /**
   * websocket.ProtocolAuthenticator: `base64url.bearer.authorization.k8s.io.<token>` among the
   * offered subprotocols. On success the token's protocol is removed, so that it is neither
   * negotiated nor echoed back.
   */
  private fromWebSocketProtocol(req: IncomingMessage): Outcome {
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return undefined;
    const h = req.headers['sec-websocket-protocol'];
    const offered = (Array.isArray(h) ? h.join(',') : (h ?? '')).split(',').map((p) => p.trim());
    let token: string | undefined;
    const others: string[] = [];
    for (const p of offered) {
      if (!p.startsWith(bearerProtocolPrefix)) {
        others.push(p);
        continue;
      }
      if (token !== undefined) return { error: 'multiple base64.bearer.authorization tokens specified' };
      const encoded = p.slice(bearerProtocolPrefix.length);
      if (!/^[A-Za-z0-9_-]*$/.test(encoded) || encoded.length % 4 === 1) return { error: 'invalid base64.bearer.authorization token encoding' };
      const decoded = Buffer.from(encoded, 'base64url');
      const text = decoded.toString('utf8');
      if (!Buffer.from(text, 'utf8').equals(decoded)) return { error: 'invalid base64.bearer.authorization token' };
      token = text;
    }
    if (!token) return undefined;
    if (others.filter((p) => p !== '').length === 0) return { error: 'missing additional subprotocol' };
    const outcome = this.fromToken(token);
    if (outcome && 'user' in outcome) req.headers['sec-websocket-protocol'] = others.join(',');
    return outcome;
  }
}
