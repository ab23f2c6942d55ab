// Informer indexes that keep the endpoint controllers' work proportional to one Service's pods,
// not to the namespace: pods filed under each of their `key=value` labels, Services under each
// pair of their selector, EndpointSlices under their Service. A sync then lists only the pods sharing the selector's rarest pair,
// and a pod event looks only at Services selecting one of its labels. (Upstream lists the whole
// namespace each time; with a thousand Services in one namespace that dominated the sync.)
import type { Pod, Service } from '../../../api/core.js';
import type { EndpointSlice } from '../../../api/discovery.js';
import type { KubeObject } from '../../../api/meta.js';
import type { Informer } from '../../../client/informer-types.js';
import { metaNamespaceKey } from '../../../client/keys.js';
import { LabelManagedBy, LabelServiceName } from './labels.js';
import { serviceSelector } from './service-selection.js';

export const podLabelsIndex = 'kubesvc.io/pod-labels';
export const serviceSelectorIndex = 'kubesvc.io/service-selector';

function pairKey(namespace: string | undefined, k: string, v: string): string {
  return `${namespace ?? ''}/${k}=${v}`;
}

/** Adds the index unless another of these controllers already did (informers are shared). */
function ensureIndex<T extends KubeObject>(inf: Informer<T>, name: string, fn: (o: T) => string[]): void {
  try {
    inf.addIndex(name, fn);
  } catch (e) {
    if (!(e instanceof Error && e.message.includes('already exists'))) throw e;
  }
}

export function ensurePodLabelsIndex(pods: Informer<Pod>): void {
  ensureIndex(pods, podLabelsIndex, (p) => Object.entries(p.metadata.labels ?? {}).map(([k, v]) => pairKey(p.metadata.namespace, k, v)));
}

export function ensureServiceSelectorIndex(services: Informer<Service>): void {
  ensureIndex(services, serviceSelectorIndex, (s) =>
    serviceSelector(s) ? Object.entries(s.spec.selector ?? {}).map(([k, v]) => pairKey(s.metadata.namespace, k, v)) : [],
  );
}

/** The pods a Service selects (none without a selector), from the pod-labels index. */
export function podsForService(pods: Informer<Pod>, svc: Service): Pod[] {
  const sel = serviceSelector(svc);
  if (!sel) return [];
  let smallest: Pod[] | undefined;
  for (const [k, v] of Object.entries(svc.spec.selector ?? {})) {
    const c = pods.lister.byIndex(podLabelsIndex, pairKey(svc.metadata.namespace, k, v));
    if (!smallest || c.length < smallest.length) smallest = c;
    if (c.length === 0) break;
  }
  return (smallest ?? []).filter((p) => sel.matches(p.metadata.labels ?? {}));
}

/** Keys of the Services selecting a pod with these labels in this namespace, from the selector index. */
export function servicesForPodLabels(services: Informer<Service>, namespace: string | undefined, labels: Record<string, string> | undefined): Set<string> {
  const keys = new Set<string>();
  const seen = new Set<Service>();
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const svc of services.lister.byIndex(serviceSelectorIndex, pairKey(namespace, k, v))) {
      if (seen.has(svc)) continue;
      seen.add(svc);
      if (serviceSelector(svc)?.matches(labels ?? {})) keys.add(metaNamespaceKey(svc));
    }
  }
  return keys;
}

export const sliceServiceIndex = 'kubesvc.io/slice-service';

export function ensureSliceServiceIndex(slices: Informer<EndpointSlice>): void {
  ensureIndex(slices, sliceServiceIndex, (s) => {
    const name = s.metadata.labels?.[LabelServiceName];
    return name ? [`${s.metadata.namespace ?? ''}/${name}`] : [];
  });
}

/** The slices of Service `namespace/name` managed by `controllerName`, not being deleted. */
export function slicesForService(slices: Informer<EndpointSlice>, namespace: string, name: string, controllerName: string): EndpointSlice[] {
  return slices.lister
    .byIndex(sliceServiceIndex, `${namespace}/${name}`)
    .filter((s) => s.metadata.labels?.[LabelManagedBy] === controllerName && !s.metadata.deletionTimestamp);
}
