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

/** An upgrade request to a streaming endpoint, with the pod it names. */
export interface StreamRequest {
  runtime: StreamingRuntime;
  lookup: StreamPodLookup;
  req: IncomingMessage;
  socket: Duplex;
  head: Buffer;
  namespace: string;
  name: string;
  query: URLSearchParams;
}

function podOf(r: StreamRequest): Pod {
  const pod = r.lookup(r.namespace, r.name);
  // The kubelet's wording for a pod it does not run.
  if (!pod) throw errors.notFound({ group: '', resource: 'pods' }, r.name);
  return pod;
}

export async function upgradeExec(r: StreamRequest, container: string): Promise<void> {
  const p = new Params(r.query);
  const stdin = p.bool('stdin');
  const stdout = p.bool('stdout');
  const tty = p.bool('tty');
  // A terminal has no separate stderr.
  const stderr = p.bool('stderr') && !tty;
  const command = r.query.getAll('command');
  if (!stdin && !stdout && !stderr) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  if (command.length === 0) throw errors.badRequest('you must specify at least one command for the container');
  podOf(r);
  const protocol = negotiate(r.req, 'exec');
  serveExec(await acceptWebSocket(r.req, r.socket, r.head, protocol), protocol, {
    runtime: r.runtime,
    request: { namespace: r.namespace, pod: r.name, container, command, stdin, tty },
    running: true,
    ...(stdout ? {} : { discardStdout: true }),
    ...(stderr ? {} : { discardStderr: true }),
  });
}

export async function upgradePortForward(r: StreamRequest): Promise<void> {
  const pod = podOf(r);
  const target = { runtime: r.runtime, namespace: r.namespace, name: r.name, uid: pod.metadata.uid ?? '' };
  const protocol = negotiate(r.req, 'portforward');
  if (protocol === PORT_FORWARD_TUNNEL_PROTOCOL) return servePortForwardTunnel(await acceptWebSocket(r.req, r.socket, r.head, protocol), target);
  const ports = parsePorts(r.query);
  servePortForwardChannels(await acceptWebSocket(r.req, r.socket, r.head, protocol), protocol, target, ports);
}
