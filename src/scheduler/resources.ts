// What a pod asks of a node, as upstream's resourcehelper.PodRequests computes it for the
// scheduler: the containers' requests summed, raised to the largest init container (sidecars —
// init containers with restartPolicy Always — keep running, so they add to what follows them),
// plus the RuntimeClass overhead. Scoring uses the "non-zero" variant, where a container that
// requests no cpu or memory counts as 100m / 200Mi so empty pods still spread.
import type { Container, Pod } from '../api/core.js';
import { resourceList, type ResourceList, type Resources } from '../api/resource-list.js';

export type { Resources };

export const defaultMilliCPURequest = 100n;
export const defaultMemoryRequest = 200n * 1024n * 1024n;

interface ContainerResources {
  requests?: ResourceList;
  limits?: ResourceList;
}

/** A container's requests; a resource given only as a limit is requested at the limit (the API's defaulting). */
function containerRequests(c: Container, nonZero: boolean): Resources {
  const res = (c.resources ?? {}) as ContainerResources;
  const out = resourceList({ ...(res.limits ?? {}), ...(res.requests ?? {}) });
  if (nonZero) {
    // Only an unset request gets the default; an explicit zero stays zero.
    if (!out.has('cpu')) out.set('cpu', defaultMilliCPURequest);
    if (!out.has('memory')) out.set('memory', defaultMemoryRequest);
  }
  return out;
}

function addInto(into: Resources, r: Resources): void {
  for (const [k, v] of r) into.set(k, (into.get(k) ?? 0n) + v);
}

function maxInto(into: Resources, r: Resources): void {
  for (const [k, v] of r) if (v > (into.get(k) ?? 0n)) into.set(k, v);
}

/** resourcehelper.PodRequests (nonZero: with NonMissingContainerRequests for cpu and memory). */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const reqs: Resources = new Map();
  for (const c of pod.spec?.containers ?? []) addInto(reqs, containerRequests(c, nonZero));
  const sidecars: Resources = new Map();
  const initMax: Resources = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addInto(reqs, r);
      addInto(sidecars, r);
      // A sidecar starting needs room for itself beside the sidecars before it.
      maxInto(initMax, new Map(sidecars));
    } else {
      const withSidecars = new Map(sidecars);
      addInto(withSidecars, r);
      maxInto(initMax, withSidecars);
    }
  }
  maxInto(reqs, initMax);
  addInto(reqs, resourceList(pod.spec?.overhead as ResourceList | undefined));
  return reqs;
}

/** Computed once per pod object: informer objects are replaced, never changed, on update. */
const cached = [new WeakMap<Pod, Resources>(), new WeakMap<Pod, Resources>()];

/** Sum of podRequests over pods (NodeInfo.Requested / NonZeroRequested). */
export function sumRequests(pods: readonly Pod[], nonZero: boolean): Resources {
  const total: Resources = new Map();
  const cache = cached[nonZero ? 1 : 0]!;
  for (const p of pods) {
    let r = cache.get(p);
    if (!r) cache.set(p, (r = podRequests(p, nonZero)));
    addInto(total, r);
  }
  return total;
}
