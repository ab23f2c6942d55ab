// The claims of service-account tokens, as upstream's pkg/serviceaccount: bound tokens
// (TokenRequest) carry iss/sub/aud/exp/iat/nbf/jti and a `kubernetes.io` private claim naming the
// ServiceAccount and the object the token is bound to; legacy tokens (Secrets filled by the tokens
// controller) carry only iss/sub and four flat `kubernetes.io/serviceaccount/*` claims, and never expire.
import { randomUUID } from 'node:crypto';

/** kubeadm's --service-account-issuer; also the only API audience. */
export const defaultIssuer = 'https://kubernetes.default.svc.cluster.local';
/** The issuer of tokens kept in Secrets. */
export const legacyIssuer = 'kubernetes/serviceaccount';

/**
 * A pod-bound token asking for exactly this lifetime (kubelet's projected token default, 1 h + 7 s)
 * gets a year instead, with `warnafter` at the hour (upstream's --service-account-extend-token-expiration).
 */
export const warnOnlyBoundTokenExpirationSeconds = 60 * 60 + 7;
export const expirationExtensionSeconds = 24 * 365 * 60 * 60;

export interface ObjectRef {
  name: string;
  uid: string;
}

export interface BoundClaims {
  iss: string;
  sub: string;
  aud: string[];
  exp: number;
  iat: number;
  nbf: number;
  jti: string;
  'kubernetes.io': {
    namespace: string;
    serviceaccount: ObjectRef;
    pod?: ObjectRef;
    secret?: ObjectRef;
    node?: ObjectRef;
    warnafter?: number;
  };
}

export interface LegacyClaims {
  iss: string;
  sub: string;
  'kubernetes.io/serviceaccount/namespace': string;
  'kubernetes.io/serviceaccount/secret.name': string;
  'kubernetes.io/serviceaccount/service-account.name': string;
  'kubernetes.io/serviceaccount/service-account.uid': string;
}

export const serviceAccountUsernamePrefix = 'system:serviceaccount:';

/** MakeUsername. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${serviceAccountUsernamePrefix}${namespace}:${name}`;
}

/** SplitUsername: undefined unless `user` is `system:serviceaccount:<ns>:<name>` with both parts. */
export function splitServiceAccountUsername(user: string): { namespace: string; name: string } | undefined {
  if (!user.startsWith(serviceAccountUsernamePrefix)) return undefined;
  const parts = user.slice(serviceAccountUsernamePrefix.length).split(':');
  if (parts.length !== 2 || parts[0] === '' || parts[1] === '') return undefined;
  return { namespace: parts[0]!, name: parts[1]! };
}

/** MakeGroupNames. */
export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
}

export interface BoundClaimsInput {
  issuer: string;
  serviceAccount: { namespace: string; name: string; uid: string };
  /** At most one of pod, secret; node alone or with a pod (the node the pod runs on). */
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
  audiences: string[];
  expirationSeconds: number;
  warnAfterSeconds?: number;
  /** Seconds since the epoch; now by default. */
  now?: number;
}

export function boundClaims(i: BoundClaimsInput): BoundClaims {
  if (i.secret && (i.pod || i.node)) throw new Error('internal error, token can only be bound to one object type');
  const now = i.now ?? Math.floor(Date.now() / 1000);
  const k: BoundClaims['kubernetes.io'] = {
    namespace: i.serviceAccount.namespace,
    serviceaccount: { name: i.serviceAccount.name, uid: i.serviceAccount.uid },
  };
  if (i.pod) k.pod = i.pod;
  if (i.secret) k.secret = i.secret;
  if (i.node) k.node = i.node;
  if (i.warnAfterSeconds) k.warnafter = now + i.warnAfterSeconds;
  return {
    aud: i.audiences,
    exp: now + i.expirationSeconds,
    iat: now,
    iss: i.issuer,
    jti: randomUUID(),
    'kubernetes.io': k,
    nbf: now,
    sub: serviceAccountUsername(i.serviceAccount.namespace, i.serviceAccount.name),
  };
}

export function legacyClaims(sa: { namespace: string; name: string; uid: string }, secretName: string): LegacyClaims {
  return {
    iss: legacyIssuer,
    'kubernetes.io/serviceaccount/namespace': sa.namespace,
    'kubernetes.io/serviceaccount/secret.name': secretName,
    'kubernetes.io/serviceaccount/service-account.name': sa.name,
    'kubernetes.io/serviceaccount/service-account.uid': sa.uid,
    sub: serviceAccountUsername(sa.namespace, sa.name),
  };
}
