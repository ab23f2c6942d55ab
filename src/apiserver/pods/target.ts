// What pods/log, pods/exec and pods/portforward resolve before talking to a node: the Pod, the
// container (defaulted or checked as upstream's streamLocation does) and the Node whose kubelet serves it.
// The messages are upstream's (pkg/registry/core/pod/strategy.go, kubelet's log status checks).
import type { Pod, Container, ContainerStatus, Node } from '../../api/core.js';
import { errors, isNotFound } from '../../machinery/status.js';
import type { PodNodeAccess } from './access.js';

export interface PodTarget {
  pod: Pod;
  namespace: string;
  name: string;
}

export async function getPod(access: PodNodeAccess, namespace: string | undefined, name: string): Promise<PodTarget> {
  const pod = await access.pod(namespace, name);
  return { pod, namespace: pod.metadata.namespace ?? namespace ?? 'default', name };
}

function names(cs: Container[] | undefined): string {
  return (cs ?? []).map((c) => c.name).join(' ');
}

function hasContainer(pod: Pod, name: string): boolean {
  const ephemeral = (pod.spec as { ephemeralContainers?: Container[] }).ephemeralContainers;
  return [pod.spec.containers, pod.spec.initContainers, ephemeral].some((cs) => (cs ?? []).some((c) => c.name === name));
}

/** The container a request names, or the pod's only one; upstream's errors otherwise. */
export function resolveContainer(pod: Pod, name: string, requested: string | undefined): string {
  if (requested) {
    if (!hasContainer(pod, requested)) throw errors.badRequest(`container ${requested} is not valid for pod ${name}`);
    return requested;
  }
  const containers = pod.spec.containers ?? [];
  if (containers.length === 1) return containers[0]!.name;
  if (containers.length === 0) throw errors.badRequest(`a container name must be specified for pod ${name}`);
  let msg = `a container name must be specified for pod ${name}, choose one of: [${names(containers)}]`;
  if (pod.spec.initContainers?.length) msg += ` or one of the init containers: [${names(pod.spec.initContainers)}]`;
  throw errors.badRequest(msg);
}

/** The Node the pod is bound to; upstream fails with the nodes 404 when it is unknown. */
export async function nodeFor(access: PodNodeAccess, nodeName: string): Promise<Node> {
  try {
    return await access.node(nodeName);
  } catch (e) {
    if (isNotFound(e)) throw errors.notFound({ group: '', resource: 'nodes' }, nodeName);
    throw e;
  }
}

/** A kubelet API path: each segment escaped, as upstream's url.URL does. */
export function kubeletPath(segments: string[], query?: URLSearchParams): string {
  const q = query?.toString();
  return '/' + segments.map(encodeURIComponent).join('/') + (q ? `?${q}` : '');
}

function statusOf(pod: Pod, container: string): ContainerStatus | undefined {
  const s = pod.status;
  return (
    s?.containerStatuses?.find((c) => c.name === container) ??
    s?.initContainerStatuses?.find((c) => c.name === container) ??
    (s as { ephemeralContainerStatuses?: ContainerStatus[] } | undefined)?.ephemeralContainerStatuses?.find((c) => c.name === container)
  );
}

/**
 * The kubelet refuses logs of a container that has none yet (validateContainerLogStatus); the
 * API server passes its 400 on as BadRequest with the kubelet's text. We judge from the status
 * the node agent reported, which is what the kubelet consults too.
 */
export function checkLogStatus(pod: Pod, name: string, container: string, previous: boolean): void {
  const cs = statusOf(pod, container);
  const bad = (m: string): never => {
    throw errors.badRequest(m);
  };
  if (!cs) return bad(`container "${container}" in pod "${name}" is not available`);
  const { running, terminated, waiting } = cs.state ?? {};
  const lastTerminated = cs.lastState?.terminated;
  if (previous) {
    if (!lastTerminated) bad(`previous terminated container "${container}" in pod "${name}" not found`);
    return;
  }
  if (running || terminated || lastTerminated) return;
  if (waiting) {
    const reason = waiting.reason ?? '';
    if (reason === 'ErrImagePull') bad(`container "${container}" in pod "${name}" is waiting to start: image can't be pulled`);
    if (reason === 'ImagePullBackOff') bad(`container "${container}" in pod "${name}" is waiting to start: trying and failing to pull image`);
    bad(`container "${container}" in pod "${name}" is waiting to start: ${reason}`);
  }
  bad(`container "${container}" in pod "${name}" is waiting to start - no logs yet`);
}

/**
 * Whether exec can reach the container: the kubelet looks it up among running containers and
 * answers `container not found ("c")`, which the API server reports after the upgrade.
 */
export function containerRunning(pod: Pod, container: string): boolean {
  const cs = statusOf(pod, container);
  if (cs) return cs.state?.running !== undefined;
  // A node agent that reports no container statuses: trust the phase.
  return pod.status?.phase === 'Running' && !pod.status.containerStatuses?.length;
}

export function nodeNameOf(pod: Pod): string {
  return pod.spec.nodeName ?? '';
}
