// The kubelet's streaming endpoints over an upgraded connection: /exec and /portForward, with the
// protocols of src/streaming (WebSocket remote-command v4/v5, the SPDY port-forward tunnel and
// WebSocket port-forward channels), checked as the kubelet checks them before upgrading.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Pod } from '../../api/core.js';
import { errors } from '../../machinery/status.js';
import { Params } from '../../apiserver/http/params.js';
import { serveExec } from '../../streaming/exec.js';
import { negotiate } from '../../streaming/negotiate.js';
import { PORT_FORWARD_TUNNEL_PROTOCOL, servePortForwardTunnel } from '../../streaming/portforward.js';
import { parsePorts, servePortForwardChannels } from '../../streaming/portforward-ws.js';
import type { StreamingRuntime } from '../../streaming/runtime.js';
import { acceptWebSocket } from '../../streaming/ws-server.js';

export type StreamPodLookup = (namespace: string, name: string) => Pod | undefined;

function podOf(lookup: StreamPodLookup, namespace: string, name: string): Pod {
  const pod = lookup(namespace, name);
  // The kubelet's wording for a pod it does not run.
  if (!pod) throw errors.notFound({ group: '', resource: 'pods' }, `${name}`);
  return pod;
}

export async function upgradeExec(
  runtime: StreamingRuntime,
  lookup: StreamPodLookup,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  namespace: string,
  name: string,
  container: string,
  q: URLSearchParams,
): Promise<void> {
  const p = new Params(q);
  const stdin = p.bool('stdin');
  const stdout = p.bool('stdout');
  const tty = p.bool('tty');
  // A terminal has no separate stderr.
  const stderr = p.bool('stderr') && !tty;
  const command = q.getAll('command');
  if (!stdin && !stdout && !stderr) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  if (command.length === 0) throw errors.badRequest('you must specify at least one command for the container');
  podOf(lookup, namespace, name);
  const protocol = negotiate(req, 'exec');
  serveExec(await acceptWebSocket(req, socket, head, protocol), protocol, {
    runtime,
    request: { namespace, pod: name, container, command, stdin, tty },
    running: true,
    ...(stdout ? {} : { discardStdout: true }),
    ...(stderr ? {} : { discardStderr: true }),
  });
}

export async function upgradePortForward(
  runtime: StreamingRuntime,
  lookup: StreamPodLookup,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  namespace: string,
  name: string,
  q: URLSearchParams,
): Promise<void> {
  const pod = podOf(lookup, namespace, name);
  const target = { runtime, namespace, name, uid: pod.metadata.uid ?? '' };
  const protocol = negotiate(req, 'portforward');
  if (protocol === PORT_FORWARD_TUNNEL_PROTOCOL) return servePortForwardTunnel(await acceptWebSocket(req, socket, head, protocol), target);
  const ports = parsePorts(q);
  servePortForwardChannels(await acceptWebSocket(req, socket, head, protocol), protocol, target, ports);
}
