// Bootstrap tokens (k8s.io/cluster-bootstrap): `<id>.<secret>` credentials a new node joins with,
// stored as Secrets of type bootstrap.kubernetes.io/token named bootstrap-token-<id> in
// kube-system, as kubeadm writes them. The API server authenticates them, the token cleaner deletes
// them once expired, and `kubesvc token` creates, lists and deletes them.
import { randomInt } from 'node:crypto';
import type { Secret } from './core.js';
import { metaTime } from '../machinery/time.js';

export const bootstrapTokenSecretType = 'bootstrap.kubernetes.io/token';
export const bootstrapTokenSecretPrefix = 'bootstrap-token-';
export const bootstrapTokenNamespace = 'kube-system';
export const tokenIDKey = 'token-id';
export const tokenSecretKey = 'token-secret';
export const expirationKey = 'expiration';
export const descriptionKey = 'description';
export const extraGroupsKey = 'auth-extra-groups';
export const usagePrefix = 'usage-bootstrap-';
/** The usages kubeadm knows: authenticating to the API, and signing the cluster-info ConfigMap. */
export const knownUsages = ['authentication', 'signing'] as const;
export const bootstrapUserPrefix = 'system:bootstrap:';
export const bootstrappersGroup = 'system:bootstrappers';
/** The group kubeadm's default node tokens carry, which its RBAC bindings name. */
export const defaultNodeTokenGroup = 'system:bootstrappers:kubeadm:default-node-token';
/** kubeadm's default token TTL. */
export const defaultTokenTTLSeconds = 24 * 3600;

const tokenPattern = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const groupPattern = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;

export interface BootstrapToken {
  id: string;
  secret: string;
}

/** The token's id and secret, or undefined when `token` is not shaped as a bootstrap token. */
export function parseBootstrapToken(token: string): BootstrapToken | undefined {
  const m = tokenPattern.exec(token);
  return m ? { id: m[1]!, secret: m[2]! } : undefined;
}

/** A new random token, from the same alphabet kubeadm draws from. */
export function generateBootstrapToken(): BootstrapToken {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const draw = (n: number) => Array.from({ length: n }, () => alphabet[randomInt(alphabet.length)]).join('');
  return { id: draw(6), secret: draw(16) };
}

export const formatBootstrapToken = (t: BootstrapToken) => `${t.id}.${t.secret}`;
export const bootstrapTokenSecretName = (id: string) => `${bootstrapTokenSecretPrefix}${id}`;

/** A value of the Secret's data (base64 in the object), or undefined. */
export function secretValue(s: Secret, key: string): string | undefined {
  const v = s.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, 'base64').toString('utf8');
}

/** The expiration time in ms since the epoch; undefined when the token never expires, NaN when unreadable. */
export function expiresAt(s: Secret): number | undefined {
  const v = secretValue(s, expirationKey);
  return v === undefined ? undefined : Date.parse(v);
}

/** bootstrapsecretutil.HasExpired: an expiration that cannot be parsed counts as expired. */
export function hasExpired(s: Secret, now: number): boolean {
  const t = expiresAt(s);
  if (t === undefined) return false;
  return Number.isNaN(t) || t <= now;
}

/** The extra groups a token authenticates with, or an error in upstream's words. */
export function extraGroups(s: Secret): { groups: string[] } | { error: string } {
  const v = secretValue(s, extraGroupsKey);
  if (!v) return { groups: [] };
  const groups = [...new Set(v.split(',').map((g) => g.trim()))];
  for (const g of groups) {
    if (!groupPattern.test(g)) return { error: `bootstrap group "${g}" is invalid (must match ${groupPattern.source})` };
  }
  return { groups };
}

/** The Secret kubeadm writes for a token. */
export function bootstrapTokenSecret(
  token: BootstrapToken,
  opts: { ttlSeconds?: number; description?: string; usages?: readonly string[]; groups?: readonly string[]; now?: number },
): Secret {
  const data: Record<string, string> = { [tokenIDKey]: token.id, [tokenSecretKey]: token.secret };
  const ttl = opts.ttlSeconds ?? defaultTokenTTLSeconds;
  // A TTL of 0 never expires, as `kubeadm token create --ttl 0`.
  if (ttl > 0) data[expirationKey] = metaTime((opts.now ?? Date.now()) + ttl * 1000);
  if (opts.description) data[descriptionKey] = opts.description;
  for (const u of opts.usages ?? knownUsages) data[`${usagePrefix}${u}`] = 'true';
  const groups = opts.groups ?? [defaultNodeTokenGroup];
  if (groups.length) data[extraGroupsKey] = groups.join(',');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: bootstrapTokenSecretName(token.id), namespace: bootstrapTokenNamespace },
    type: bootstrapTokenSecretType,
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  } as Secret;
}

/** Whether `group` may be given to a token (as `kubeadm token create --groups` checks). */
export const validBootstrapGroup = (group: string) => groupPattern.test(group);
