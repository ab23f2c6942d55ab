// Upstream's ServiceAccount admission plugin for Pods. A Pod created without a service account
// runs as "default" (serviceAccount mirrors serviceAccountName, as the v1 conversion writes it);
// mirror pods, which the kubelet makes from files, are left alone. With the lookup on (as
// `kubesvc up` runs it), the account must exist: "default" is waited for a while, since the
// ServiceAccounts controller makes it just after the namespace; a missing account is a 403; a
// Pod without imagePullSecrets takes the account's. Tokens and their volume come later.
import type { Pod, ServiceAccount } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';
import { mirrorServiceAccount } from '../../api/defaults/pod.js';
import { errors } from '../../machinery/status.js';
import type { StoreHooks } from '../store/hooks.js';
import type { Store } from '../store/store.js';

export const DefaultServiceAccountName = 'default';
const MirrorPodAnnotationKey = 'kubernetes.io/config.mirror';

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
  };
}
