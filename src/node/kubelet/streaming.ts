// The kubelet's streaming endpoints over an upgraded connection: /exec, /attach and /portForward, with the
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
import type { ExecSession, StreamingRuntime } from '../../streaming/runtime.js';
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

/** The streams exec and attach ask for, checked as the kubelet's NewOptions does. */
function streamOptions(q: URLSearchParams): { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean } {
  const p = new Params(q);
  const tty = p.bool('tty');
  // A terminal has no separate stderr.
  const o = { stdin: p.bool('stdin'), stdout: p.bool('stdout'), stderr: p.bool('stderr') && !tty, tty };
  if (!o.stdin && !o.stdout && !o.stderr) throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return o;
}

/** exec or attach over the remote-command channels, once the request passed the checks. */
async function serveRemoteCommand(r: StreamRequest, kind: 'exec' | 'attach', container: string, o: { stdout: boolean; stderr: boolean }, start: () => Promise<ExecSession>): Promise<void> {
  podOf(r);
  const protocol = negotiate(r.req, kind);
  serveExec(await acceptWebSocket(r.req, r.socket, r.head, protocol), protocol, {
    start,
    container,
    running: true,
    ...(o.stdout ? {} : { discardStdout: true }),
    ...(o.stderr ? {} : { discardStderr: true }),
  });
}

export async function upgradeExec(r: StreamRequest, container: string): Promise<void> {
  const o = streamOptions(r.query);
  const command = r.query.getAll('command');
  if (command.length === 0) throw errors.badRequest('you must specify at least one command for the container');
  const request = { namespace: r.namespace, pod: r.name, container, command, stdin: o.stdin, tty: o.tty };
  return serveRemoteCommand(r, 'exec', container, o, () => r.runtime.exec(request));
}

export async function upgradeAttach(r: StreamRequest, container: string): Promise<void> {
  const o = streamOptions(r.query);
  const request = { namespace: r.namespace, pod: r.name, container, stdin: o.stdin, tty: o.tty };
  return serveRemoteCommand(r, 'attach', container, o, () => r.runtime.attach(request));
}

export async function upgradePortForward(r: StreamRequest): Promise<void> {
  const pod = podOf(r);
  const target = { runtime: r.runtime, namespace: r.namespace, name: r.name, uid: pod.metadata.uid ?? '' };
  const protocol = negotiate(r.req, 'portforward');
  if (protocol === PORT_FORWARD_TUNNEL_PROTOCOL) return servePortForwardTunnel(await acceptWebSocket(r.req, r.socket, r.head, protocol), target);
  const ports = parsePorts(r.query);
  servePortForwardChannels(await acceptWebSocket(r.req, r.socket, r.head, protocol), protocol, target, ports);
}
