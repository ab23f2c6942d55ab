// The defaulting half of upstream's ServiceAccount admission plugin: a Pod created without a
// service account runs as "default" (mirror pods, which the kubelet makes from files, are left
// alone). Upstream then also looks the account up, refusing the Pod with a 403 while it does not
// exist, and copies its imagePullSecrets; kubesvc does not yet (see docs/architecture.md).
import type { Pod } from '../../api/core.js';
import { mirrorServiceAccount } from '../../api/defaults/pod.js';

export const DefaultServiceAccountName = 'default';
const MirrorPodAnnotationKey = 'kubernetes.io/config.mirror';

export function admitPodServiceAccount(pod: Pod): void {
  if (pod.metadata.annotations?.[MirrorPodAnnotationKey] !== undefined) return;
  const spec = (pod.spec ??= { containers: [] });
  if (!spec.serviceAccountName) spec.serviceAccountName = DefaultServiceAccountName;
  mirrorServiceAccount(spec);
}
