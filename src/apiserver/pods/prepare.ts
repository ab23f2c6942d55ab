// Everything exec and port-forward check before the connection is upgraded, in upstream's order
// (query conversion, then ExecLocation / PortForwardLocation), so that a bad request fails as a
// plain HTTP Status — which kubectl shows whether it tried WebSocket or fell back to SPDY. What
// passes is sent on to the kubelet of the pod's node.
import type { Node } from '../../api/core.js';
import { errors } from '../../machinery/status.js';
import { Params } from '../http/params.js';
import type { ResourceRoute } from '../http/route.js';
import type { PodNodeAccess } from './access.js';
import { containerRunning, getPod, kubeletPath, nodeFor, nodeNameOf, resolveContainer } from './target.js';

/** Where on which kubelet a streaming request goes. */
export interface KubeletStream {
  node: Node;
  path: string;
  container: string;
  /** Whether the container runs; the kubelet answers `container not found` otherwise. */
  running: boolean;
}

export function prepareExec(access: PodNodeAccess, route: ResourceRoute, q: URLSearchParams): Promise<KubeletStream> {
  return prepareRemoteCommand(access, route, q, 'exec');
}

/** attach: exec's checks without a command (upstream's AttachLocation). */
export function prepareAttach(access: PodNodeAccess, route: ResourceRoute, q: URLSearchParams): Promise<KubeletStream> {
  return prepareRemoteCommand(access, route, q, 'attach');
}

async function prepareRemoteCommand(access: PodNodeAccess, route: ResourceRoute, q: URLSearchParams, kind: 'exec' | 'attach'): Promise<KubeletStream> {
  const name = route.name!;
  const command = kind === 'exec' ? q.getAll('command') : [];
  const p = new Params(q);
  const stdin = p.bool('stdin');
  const stdout = p.bool('stdout');
  const tty = p.bool('tty');
  const stderr = p.bool('stderr');
  const { pod, namespace } = await getPod(access, route.namespace, name);
  const container = resolveContainer(pod, name, q.get('container') ?? undefined);
  const nodeName = nodeNameOf(pod);
  if (!nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
  const node = await nodeFor(access, nodeName);
  // As the kubelet: a terminal has no separate stderr.
  if (!stdin && !stdout && !(stderr && !tty)) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  if (kind === 'exec' && command.length === 0) throw errors.badRequest('you must specify at least one command for the container');
  const query = new URLSearchParams();
  for (const c of command) query.append('command', c);
  for (const [k, v] of Object.entries({ stdin, stdout, stderr, tty })) if (v) query.set(k, 'true');
  return { node, path: kubeletPath([kind, namespace, name, container], query), container, running: containerRunning(pod, container) };
}

export async function preparePortForward(access: PodNodeAccess, route: ResourceRoute, q: URLSearchParams): Promise<KubeletStream> {
  const name = route.name!;
  const { pod, namespace } = await getPod(access, route.namespace, name);
  const nodeName = nodeNameOf(pod);
  if (!nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
  const node = await nodeFor(access, nodeName);
  const query = new URLSearchParams();
  for (const p of q.getAll('ports')) query.append('ports', p);
  return { node, path: kubeletPath(['portForward', namespace, name], query), container: '', running: true };
}
