// Upstream's ServiceAccount admission plugin for Pods. A Pod created without a service account
// runs as "default" (serviceAccount mirrors serviceAccountName, as the v1 conversion writes it);
// mirror pods, which the kubelet makes from files, are left alone. With the lookup on (as
// `kubesvc up` runs it), the account must exist: "default" is waited for a while, since the
// ServiceAccounts controller makes it just after the namespace; a missing account is a 403; a
// Pod without imagePullSecrets takes the account's; unless automounting is off (pod first, then
// account), every container mounts the projected `kube-api-access-<x>` volume (token, ca.crt,
// namespace) at /var/run/secrets/kubernetes.io/serviceaccount.
import { randomInt } from 'node:crypto';
import type { Container, Pod, ServiceAccount } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';
import { mirrorServiceAccount } from '../../api/defaults/pod.js';
import { errors } from '../../machinery/status.js';
import type { StoreHooks } from '../store/hooks.js';
import type { Store } from '../store/store.js';

export const DefaultServiceAccountName = 'default';
const MirrorPodAnnotationKey = 'kubernetes.io/config.mirror';

export const ServiceAccountVolumeName = 'kube-api-access';
export const DefaultAPITokenMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
/** Upstream's token lifetime for the volume: an hour, plus 7 s it uses to tell such tokens apart. */
const tokenExpirationSeconds = 3607;

/** utilrand.String: lower-case consonants and digits that cannot spell words. */
function randomSuffix(n: number): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let out = '';
  for (let i = 0; i < n; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** upstream's createVolume: the projected volume of token, ca.crt and namespace. */
function apiAccessVolume(name: string): { name: string } & Record<string, unknown> {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: tokenExpirationSeconds, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/**
 * upstream's mountServiceAccountToken: every init container and container without a mount at the
 * default path gets one of the (existing or new) `kube-api-access-*` volume, read-only.
 */
export function mountServiceAccountToken(pod: Pod): void {
  const spec = pod.spec;
  const existing = (spec.volumes ?? []).find((v) => v.name.startsWith(`${ServiceAccountVolumeName}-`));
  const name = existing?.name ?? `${ServiceAccountVolumeName}-${randomSuffix(5)}`;
  let needed = false;
  for (const c of [...(spec.initContainers ?? []), ...spec.containers] as Container[]) {
    const mounts = (c.volumeMounts ?? []) as { mountPath?: string }[];
    if (mounts.some((m) => m.mountPath === DefaultAPITokenMountPath)) continue;
    c.volumeMounts = [...mounts, { name, readOnly: true, mountPath: DefaultAPITokenMountPath }];
    needed = true;
  }
  if (needed && !existing) spec.volumes = [...(spec.volumes ?? []), apiAccessVolume(name)];
}

const isMirrorPod = (pod: Pod): boolean => pod.metadata.annotations?.[MirrorPodAnnotationKey] !== undefined;

export function admitPodServiceAccount(pod: Pod): void {
  if (isMirrorPod(pod)) return;
  const spec = (pod.spec ??= { containers: [] });
  if (!spec.serviceAccountName) spec.serviceAccountName = DefaultServiceAccountName;
  mirrorServiceAccount(spec);
}

export interface ServiceAccountLookupOptions {
  /** Attempts for "default" (upstream: 10), each after a pause of 100–200 ms; other names get one. */
  defaultAttempts?: number;
}

/** The lookup half, as an admit hook for the pods store. */
export function serviceAccountLookup(accounts: () => Store, opts: ServiceAccountLookupOptions = {}): NonNullable<StoreHooks['admit']> {
  const attemptsForDefault = opts.defaultAttempts ?? 10;
  return async (obj: KubeObject) => {
    const pod = obj as Pod;
    const name = pod.spec?.serviceAccountName;
    const ns = pod.metadata.namespace;
    if (isMirrorPod(pod) || !name || !ns) return;
    const attempts = name === DefaultServiceAccountName ? attemptsForDefault : 1;
    let sa: ServiceAccount | undefined;
    for (let i = 0; i < attempts && !sa; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, 100 + Math.floor(Math.random() * 100)));
      sa = (await accounts().find(ns, name))?.obj as ServiceAccount | undefined;
    }
    if (!sa) {
      throw errors.forbidden(
        { group: '', resource: 'pods' },
        pod.metadata.name ?? '',
        `error looking up service account ${ns}/${name}: serviceaccount "${name}" not found`,
      );
    }
    if (!pod.spec!.imagePullSecrets?.length && sa.imagePullSecrets?.length) {
      pod.spec!.imagePullSecrets = sa.imagePullSecrets.map((s) => ({ name: s.name ?? '' }));
    }
    if ((pod.spec!.automountServiceAccountToken ?? sa.automountServiceAccountToken ?? true) !== false) mountServiceAccountToken(pod);
  };
}
