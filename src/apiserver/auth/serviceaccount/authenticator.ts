// The service-account token authenticator, as kube-apiserver runs upstream's two JWT
// authenticators (pkg/serviceaccount/jwt.go) side by side: bound tokens of the configured issuer
// (claims.go's validator) and legacy Secret tokens (legacy.go's validator). A token whose
// unverified `iss` is neither is not ours (no error: another authenticator may know it); one that
// is ours is verified, checked for time and audience, and its ServiceAccount (and bound object,
// or Secret) must still exist with the uid the token names.
//
// Verified signatures are cached for a short while (upstream caches whole results for 10 s); the
// objects a token depends on are looked up on every request from the watch cache, so deleting a
// ServiceAccount or a pod rejects its tokens as soon as the cache has seen the delete.
import { aggregateMessages } from '../../../machinery/labels/requirement.js';
import { createHash, type KeyObject } from 'node:crypto';
import type { KubeObject } from '../../../api/meta.js';
import { allAuthenticated, type UserInfo } from '../user.js';
import {
  legacyIssuer,
  serviceAccountGroups,
  serviceAccountUsername,
  splitServiceAccountUsername,
  type BoundClaims,
  type LegacyClaims,
  type ObjectRef,
} from './claims.js';
import { parseJWS, verifyRS256, type ParsedJWS } from './jwt.js';

/** What a token's validity depends on, read from the watch cache. */
export type ObjectLookup = (resource: 'serviceaccounts' | 'secrets' | 'pods' | 'nodes', namespace: string | undefined, name: string) => KubeObject | undefined;

export type TokenResult =
  | { ok: true; user: UserInfo; audiences: string[] }
  /** error undefined: the token is not one of ours. */
  | { ok: false; error?: string };

export const podNameKey = 'authentication.kubernetes.io/pod-name';
export const podUIDKey = 'authentication.kubernetes.io/pod-uid';
export const nodeNameKey = 'authentication.kubernetes.io/node-name';
export const nodeUIDKey = 'authentication.kubernetes.io/node-uid';
export const credentialIDKey = 'authentication.kubernetes.io/credential-id';

/** go-jose's DefaultLeeway: clocks of issuer and verifier may differ this much. */
const leewaySeconds = 60;
const signatureCacheTTLMs = 10_000;
const signatureCacheMax = 4096;

export interface ServiceAccountTokenAuthenticatorOptions {
  issuer: string;
  /** The API audiences: what a token without `aud` (legacy) stands for, and what a request asks for. */
  apiAudiences: string[];
  /** The keys tokens may be signed with (read when a token needs verifying). */
  publicKeys: () => KeyObject[];
  lookup: ObjectLookup;
  /** Seconds since the epoch (a test's clock). */
  now?: () => number;
  /**
   * Records that a legacy token Secret was used today (upstream's LegacyServiceAccountTokenTracking:
   * the `kubernetes.io/legacy-token-last-used` label), so unused ones can be found and cleaned up.
   */
  markLegacyTokenUsed?: (namespace: string, secretName: string, today: string) => void;
}

/** The date a legacy token Secret was last used (YYYY-MM-DD, UTC). */
export const legacyTokenLastUsedLabel = 'kubernetes.io/legacy-token-last-used';
/** Set by the legacy token cleaner: the Secret's token no longer authenticates. */
export const legacyTokenInvalidSinceLabel = 'kubernetes.io/legacy-token-invalid-since';

interface ServiceAccountInfo {
  namespace: string;
  name: string;
  uid: string;
  podName?: string;
  podUID?: string;
  nodeName?: string;
  nodeUID?: string;
  credentialID?: string;
}

const q = (s: string) => JSON.stringify(s);
/** Go's %q of a []string: `["a" "b"]`. */
const qList = (xs: string[]) => `[${xs.map(q).join(' ')}]`;

export class ServiceAccountTokenAuthenticator {
  private readonly verified = new Map<string, { jws: ParsedJWS; until: number }>();
  private readonly now: () => number;

  constructor(private readonly o: ServiceAccountTokenAuthenticatorOptions) {
    this.now = o.now ?? (() => Date.now() / 1000);
  }

  get apiAudiences(): string[] {
    return this.o.apiAudiences;
  }

  /** `requested`: the audiences the caller wants the token to be good for (the API audiences by default). */
  authenticate(token: string, requested: string[] = this.o.apiAudiences): TokenResult {
    const jws = this.verifiedJWS(token);
    if (!jws) return { ok: false };
    if ('error' in jws) return { ok: false, error: jws.error };
    const claims = jws.payload;
    const legacy = claims['iss'] === legacyIssuer;
    let tokenAudiences = audiences(claims['aud']);
    if (tokenAudiences === undefined) return { ok: false, error: 'json: cannot unmarshal the token\'s "aud" claim' };
    if (tokenAudiences.length === 0) tokenAudiences = this.o.apiAudiences;
    const auds = tokenAudiences.filter((a) => requested.includes(a));
    if (auds.length === 0 && this.o.apiAudiences.length !== 0) {
      return { ok: false, error: `token audiences ${qList(tokenAudiences)} is invalid for the target audiences ${qList(requested)}` };
    }
    const r = legacy ? this.validateLegacy(token, claims as Partial<LegacyClaims>) : this.validateBound(claims as Partial<BoundClaims>);
    if (typeof r === 'string') return { ok: false, error: r };
    return { ok: true, user: userInfo(r), audiences: auds };
  }

  /** The token's JWS once its issuer is ours and its signature verifies; undefined when not ours. */
  private verifiedJWS(token: string): ParsedJWS | { error: string } | undefined {
    const key = createHash('sha256').update(token).digest('base64');
    const now = Date.now();
    const hit = this.verified.get(key);
    if (hit && hit.until > now) return hit.jws;
    const jws = parseJWS(token);
    // hasCorrectIssuer reads `iss` before any verification, to leave others' tokens alone.
    const iss = jws?.payload['iss'];
    if (!jws || (iss !== this.o.issuer && iss !== legacyIssuer)) return undefined;
    const errs: string[] = [];
    for (const k of this.o.publicKeys()) {
      const err = verifyRS256(jws, k);
      if (err === undefined) {
        if (this.verified.size >= signatureCacheMax) this.verified.clear();
        this.verified.set(key, { jws, until: now + signatureCacheTTLMs });
        return jws;
      }
      errs.push(err);
    }
    return { error: aggregateMessages(errs) };
  }

  private validateBound(c: Partial<BoundClaims>): ServiceAccountInfo | string {
    const now = this.now();
    const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
    const nbf = num(c.nbf);
    const exp = num(c.exp);
    const iat = num(c.iat);
    if (nbf !== undefined && now + leewaySeconds < nbf) return 'service account token is not valid yet';
    if (exp !== undefined && now - leewaySeconds > exp) return 'service account token has expired';
    if (iat !== undefined && now + leewaySeconds < iat) return 'service account token claims could not be validated due to unexpected validation error';
    const k = c['kubernetes.io'];
    if (!k || typeof k !== 'object') return 'service account token claims could not be validated due to unexpected private claim';
    const namespace = str(k.namespace);
    const sa = ref(k.serviceaccount);
    const invalidIfDeletedBefore = now - leewaySeconds;
    const account = this.o.lookup('serviceaccounts', namespace, sa.name);
    if (!account) return `serviceaccounts ${q(sa.name)} not found`;
    if (deletedBefore(account, invalidIfDeletedBefore)) return `service account ${namespace}/${sa.name} has been deleted`;
    if (account.metadata.uid !== sa.uid) return `service account UID (${account.metadata.uid ?? ''}) does not match claim (${sa.uid})`;
    const info: ServiceAccountInfo = { namespace, name: sa.name, uid: sa.uid };
    if (k.secret) {
      const r = ref(k.secret);
      const secret = this.o.lookup('secrets', namespace, r.name);
      if (!secret || deletedBefore(secret, invalidIfDeletedBefore)) return 'service account token has been invalidated';
      if (secret.metadata.uid !== r.uid) return `secret UID (${secret.metadata.uid ?? ''}) does not match service account secret ref claim (${r.uid})`;
    }
    if (k.pod) {
      const r = ref(k.pod);
      const pod = this.o.lookup('pods', namespace, r.name);
      if (!pod || deletedBefore(pod, invalidIfDeletedBefore)) return 'service account token has been invalidated';
      if (pod.metadata.uid !== r.uid) return `pod UID (${pod.metadata.uid ?? ''}) does not match service account pod ref claim (${r.uid})`;
      info.podName = r.name;
      info.podUID = r.uid;
    }
    if (k.node) {
      const r = ref(k.node);
      // A pod-bound token names its pod's node for information; a node-bound one depends on the node.
      if (!k.pod) {
        const node = this.o.lookup('nodes', undefined, r.name);
        if (!node || deletedBefore(node, invalidIfDeletedBefore)) return 'service account token has been invalidated';
        if (node.metadata.uid !== r.uid) return `node UID (${node.metadata.uid ?? ''}) does not match service account node ref claim (${r.uid})`;
      }
      info.nodeName = r.name;
      info.nodeUID = r.uid;
    }
    if (typeof c.jti === 'string' && c.jti !== '') info.credentialID = `JTI=${c.jti}`;
    return info;
  }

  private validateLegacy(token: string, c: Partial<LegacyClaims>): ServiceAccountInfo | string {
    const namespace = str(c['kubernetes.io/serviceaccount/namespace']);
    const secretName = str(c['kubernetes.io/serviceaccount/secret.name']);
    const name = str(c['kubernetes.io/serviceaccount/service-account.name']);
    const uid = str(c['kubernetes.io/serviceaccount/service-account.uid']);
    if (!namespace) return 'namespace claim is missing';
    if (!secretName) return 'secretName claim is missing';
    if (!name) return 'serviceAccountName claim is missing';
    if (!uid) return 'serviceAccountUID claim is missing';
    const subject = splitServiceAccountUsername(str(c.sub));
    if (!subject || subject.namespace !== namespace || subject.name !== name) return 'sub claim is invalid';
    const secret = this.o.lookup('secrets', namespace, secretName) as (KubeObject & { data?: Record<string, string> }) | undefined;
    if (!secret || secret.metadata.deletionTimestamp) return 'Token has been invalidated';
    if (Buffer.from(secret.data?.['token'] ?? '', 'base64').toString('latin1') !== token) return "Token does not match server's copy";
    if (secret.metadata.labels?.[legacyTokenInvalidSinceLabel]) return 'Token has been invalidated';
    const account = this.o.lookup('serviceaccounts', namespace, name);
    if (!account) return `serviceaccounts ${q(name)} not found`;
    if (account.metadata.deletionTimestamp) return `ServiceAccount ${namespace}/${name} has been deleted`;
    if (account.metadata.uid !== uid) return `ServiceAccount UID (${account.metadata.uid ?? ''}) does not match claim (${uid})`;
    const today = new Date(this.now() * 1000).toISOString().slice(0, 10);
    if (secret.metadata.labels?.[legacyTokenLastUsedLabel] !== today) this.o.markLegacyTokenUsed?.(namespace, secretName, today);
    return { namespace, name, uid };
  }
}

/** ServiceAccountInfo.UserInfo, with system:authenticated added as upstream's group adder does. */
function userInfo(sa: ServiceAccountInfo): UserInfo {
  const extra: Record<string, string[]> = {};
  if (sa.podName && sa.podUID) {
    extra[podNameKey] = [sa.podName];
    extra[podUIDKey] = [sa.podUID];
  }
  if (sa.credentialID) extra[credentialIDKey] = [sa.credentialID];
  if (sa.nodeName) {
    extra[nodeNameKey] = [sa.nodeName];
    if (sa.nodeUID) extra[nodeUIDKey] = [sa.nodeUID];
  }
  const user: UserInfo = {
    name: serviceAccountUsername(sa.namespace, sa.name),
    uid: sa.uid,
    groups: [...serviceAccountGroups(sa.namespace), allAuthenticated],
  };
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function ref(v: unknown): ObjectRef {
  const o = (v && typeof v === 'object' ? v : {}) as Record<string, unknown>;
  return { name: str(o['name']), uid: str(o['uid']) };
}

/** jwt.Audience: a string or a list of strings; undefined when neither. */
function audiences(v: unknown): string[] | undefined {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((a) => typeof a === 'string')) return v as string[];
  return undefined;
}

function deletedBefore(o: KubeObject, seconds: number): boolean {
  const t = o.metadata.deletionTimestamp;
  return t !== undefined && t !== null && Date.parse(t) / 1000 < seconds;
}

