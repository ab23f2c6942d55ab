// Which Services a pod event concerns (upstream's GetServicesToUpdateOnPodChange): the Services
// whose selector matches the pod now or, when its labels changed, before.
import type { Pod, Service } from '../../../api/core.js';
import { metaNamespaceKey } from '../../../client/keys.js';
import { selectorFromSet, type LabelSelector } from '../../../machinery/labels/index.js';
import { podEndpointsChanged, sameLabels } from './pod.js';

const parsed = new WeakMap<Service, LabelSelector | undefined>();

/**
 * A Service's pod selector, or undefined when it has none. An empty selector counts as none:
 * the API server stores `{}` and an absent selector alike (upstream's protobuf round trip turns
 * an empty map into nil), and users expect `selector: {}` to select nothing.
 */
export function serviceSelector(svc: Service): LabelSelector | undefined {
  // Cached objects are never changed in place (an update replaces them), so each Service's
  // selector is parsed once however many pod events ask for it.
  if (parsed.has(svc)) return parsed.get(svc);
  const sel = svc.spec?.selector;
  const out = !sel || Object.keys(sel).length === 0 ? undefined : selectorFromSet(sel);
  parsed.set(svc, out);
  return out;
}

/** Keys of the Services in `services` that select a pod with these labels. */
export function servicesSelecting(services: Service[], labels: Record<string, string> | undefined): Set<string> {
  const keys = new Set<string>();
  for (const svc of services) {
    const sel = serviceSelector(svc);
    if (sel?.matches(labels ?? {})) keys.add(metaNamespaceKey(svc));
  }
  return keys;
}

/**
 * The Services to sync after a pod changed from `oldPod` to `newPod` (`selecting` gives the keys
 * of the Services in the pod's namespace that select a label set). Nothing when no field that
 * shapes endpoints changed (e.g. only an annotation, or a resync). When only labels changed,
 * only Services that gained or lost the pod; when the pod changed too, all of them.
 */
export function servicesToUpdateOnPodChange(
  selecting: (labels: Record<string, string> | undefined) => Set<string>,
  oldPod: Pod,
  newPod: Pod,
): Set<string> {
  if (oldPod.metadata.resourceVersion === newPod.metadata.resourceVersion) return new Set();
  const { podChanged, labelsChanged } = podEndpointsChanged(oldPod, newPod);
  if (!podChanged && !labelsChanged) return new Set();
  const now = selecting(newPod.metadata.labels);
  // Only hostname or subdomain changed: the same Services, whose endpoints' hostnames change.
  if (!labelsChanged || sameLabels(oldPod.metadata.labels, newPod.metadata.labels)) return now;
  const before = selecting(oldPod.metadata.labels);
  const out = new Set<string>();
  for (const k of now) if (podChanged || !before.has(k)) out.add(k);
  for (const k of before) if (podChanged || !now.has(k)) out.add(k);
  return out;
}
