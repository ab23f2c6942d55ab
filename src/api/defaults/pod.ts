// SetDefaults_PodSpec (every PodSpec, templates included) and SetDefaults_Pod (Pods only).
import type { Pod, PodSpec, PodTemplateSpec } from '../core.js';
import { setDefaultsContainer } from './container.js';
import { setDefaultsVolume } from './volume.js';

export const DefaultTerminationGracePeriodSeconds = 30;
export const DefaultSchedulerName = 'default-scheduler';

export function setDefaultsPodSpec(spec: PodSpec): void {
  if (!spec.dnsPolicy) spec.dnsPolicy = 'ClusterFirst';
  if (!spec.restartPolicy) spec.restartPolicy = 'Always';
  if (spec.securityContext === undefined || spec.securityContext === null) spec.securityContext = {};
  if (spec.terminationGracePeriodSeconds === undefined || spec.terminationGracePeriodSeconds === null) {
    spec.terminationGracePeriodSeconds = DefaultTerminationGracePeriodSeconds;
  }
  if (!spec.schedulerName) spec.schedulerName = DefaultSchedulerName;
  mirrorServiceAccount(spec);
  for (const c of spec.containers ?? []) setDefaultsContainer(c);
  for (const c of spec.initContainers ?? []) setDefaultsContainer(c);
  for (const v of spec.volumes ?? []) if (v !== null && typeof v === 'object') setDefaultsVolume(v);
}

/**
 * serviceAccount is the deprecated name of serviceAccountName: upstream's conversion reads it when
 * serviceAccountName is empty and writes serviceAccountName back into it, so both read the same.
 */
export function mirrorServiceAccount(spec: PodSpec): void {
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  else delete spec.serviceAccount;
}

export function setDefaultsPodTemplateSpec(t: PodTemplateSpec | undefined): void {
  if (t?.spec) setDefaultsPodSpec(t.spec);
}

/** Resource requests default to limits here, and only on Pods, as upstream scopes it. */
function defaultRequestsToLimits(spec: PodSpec): void {
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    const r = c.resources as { limits?: Record<string, string>; requests?: Record<string, string> } | undefined;
    if (!r?.limits) continue;
    r.requests ??= {};
    for (const [k, v] of Object.entries(r.limits)) if (!(k in r.requests)) r.requests[k] = v;
  }
}

export function setDefaultsPod(pod: Pod): void {
  const spec = (pod.spec ??= { containers: [] });
  setDefaultsPodSpec(spec);
  defaultRequestsToLimits(spec);
  if (spec.enableServiceLinks === undefined || spec.enableServiceLinks === null) spec.enableServiceLinks = true;
  // With host networking every container port is a host port.
  if (spec.hostNetwork) {
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
      for (const p of c.ports ?? []) if (!p.hostPort) p.hostPort = p.containerPort;
    }
  }
}
