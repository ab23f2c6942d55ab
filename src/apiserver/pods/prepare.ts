// Everything exec and port-forward check before the connection is upgraded, in upstream's order
// (query conversion, then ExecLocation / PortForwardLocation, then the kubelet's own checks), so
// that a bad request fails as a plain HTTP Status — which kubectl shows whether it tried
// WebSocket or fell back to SPDY.
import { errors } from '../../machinery/status.js';
import { Params } from '../http/params.js';
import type { ResourceRoute } from '../http/route.js';
import type { PodNodeAccess } from './access.js';
import type { ExecTarget } from './exec.js';
import type { PortForwardTarget } from './portforward.js';
import { connectorFor, containerRunning, getPod, nodeNameOf, resolveContainer } from './target.js';

export async function prepareExec(access: PodNodeAccess, route: ResourceRoute, q: URLSearchParams): Promise<ExecTarget> {
  const name = route.name!;
  const command = q.getAll('command');
  const p = new Params(q);
  const stdin = p.bool('stdin');
  const stdout = p.bool('stdout');
  const tty = p.bool('tty');
  // As the kubelet: a terminal has no separate stderr.
  const stderr = p.bool('stderr') && !tty;
  const { pod, namespace } = await getPod(access, route.namespace, name);
  const container = resolveContainer(pod, name, q.get('container') ?? undefined);
  const nodeName = nodeNameOf(pod);
  if (!nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
  const connector = await connectorFor(access, nodeName);
  if (!stdin && !stdout && !stderr) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  if (command.length === 0) throw errors.badRequest('you must specify at least one command for the container');
  return {
    connector,
    request: { namespace, pod: name, container, command, stdin, tty },
    running: containerRunning(pod, container),
    ...(stdout ? {} : { discardStdout: true }),
    ...(stderr ? {} : { discardStderr: true }),
  };
}

export async function preparePortForward(access: PodNodeAccess, route: ResourceRoute): Promise<PortForwardTarget> {
  const name = route.name!;
  const { pod, namespace } = await getPod(access, route.namespace, name);
  const nodeName = nodeNameOf(pod);
  if (!nodeName) throw errors.badRequest(`pod ${name} does not have a host assigned`);
  const connector = await connectorFor(access, nodeName);
  return { connector, namespace, name, uid: pod.metadata.uid ?? '' };
}
