// The pod subresources only a node can answer: pods/log, exec, attach and portforward, checked as
// upstream does and then served by the node's kubelet API, reached with nothing but PodNodeAccess
// (the pod, the node, the kubelet client). exec and port-forward stream over an upgraded
// connection, which is passed through to the kubelet; a plain request to them is checked and then
// told why it cannot be served.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { serveContainerNotFound } from '../../streaming/exec.js';
import { negotiate, type StreamKind } from '../../streaming/negotiate.js';
import { acceptWebSocket } from '../../streaming/ws-server.js';
import type { ResourceRoute } from '../http/route.js';
import type { SubresourceREST } from '../registry/entry.js';
import type { PodNodeAccess } from './access.js';
import { serveLog } from './log.js';
import { prepareAttach, prepareExec, preparePortForward, type KubeletStream } from './prepare.js';

export type { PodNodeAccess } from './access.js';

type Prepare = (access: PodNodeAccess, route: ResourceRoute, q: URLSearchParams) => Promise<KubeletStream>;

function streaming(access: PodNodeAccess, kind: StreamKind, prepare: Prepare): SubresourceREST {
  const query = (req: IncomingMessage) => new URL(req.url ?? '/', 'https://kubesvc').searchParams;
  return {
    async serve(req, _res, route) {
      await prepare(access, route, query(req));
      negotiate(req, kind);
      throw new Error(`${kind} is served only over an upgraded connection`);
    },
    async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, route: ResourceRoute) {
      const target = await prepare(access, route, query(req));
      const protocol = negotiate(req, kind);
      // Upstream's kubelet says so after the upgrade; the pod's status already tells us.
      if (!target.running) return serveContainerNotFound(await acceptWebSocket(req, socket, head, protocol), target.container);
      await access.kubelet.upgrade(target.node, target.path, req, socket, head);
    },
  };
}

export function podStreamingSubresources(access: PodNodeAccess): Record<string, SubresourceREST> {
  return {
    log: { serve: (req, res, route) => serveLog(access, req, res, route) },
    exec: streaming(access, 'exec', prepareExec),
    attach: streaming(access, 'attach', prepareAttach),
    portforward: streaming(access, 'portforward', preparePortForward),
  };
}
