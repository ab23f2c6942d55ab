// nodes/{name}/proxy/{path}: the request passed on to the node's kubelet API (upstream's
// NodeProxyREST with the kubelet's port), e.g. `kubectl get --raw /api/v1/nodes/n/proxy/stats/summary`.
// The caller's credentials stay here: the kubelet sees the API server's own client certificate,
// and the caller needed `nodes/proxy` to get this far.
import type { IncomingMessage, ServerResponse, OutgoingHttpHeaders } from 'node:http';
import type { Node } from '../../../api/core.js';
import type { ResourceRoute } from '../../http/route.js';
import type { KubeletClient } from '../../kubelet-client.js';
import type { Store } from '../../store/store.js';
import type { SubresourceREST } from '../entry.js';
import { StatusError } from '../../../machinery/status.js';
import { querySuffix, splitProxyPath } from './proxy-location.js';
import { relayBody } from '../../../util/relay.js';

/** Request headers that describe the body or the wanted answer; credentials and hop-by-hop headers stay behind. */
const forwarded = ['accept', 'content-type', 'content-length', 'content-encoding', 'accept-encoding'];
/** Response headers passed back. */
const returned = ['content-type', 'content-length', 'content-encoding', 'cache-control', 'date'];

function kubeletPathOf(req: IncomingMessage, route: ResourceRoute): string {
  return (splitProxyPath(req, route).path || '/') + querySuffix(req);
}

export function nodeProxyREST(nodes: () => Store, kubelet: KubeletClient): SubresourceREST {
  const node = async (name: string) => (await nodes().get(undefined, name)).obj as Node;
  return {
    async serve(req: IncomingMessage, res: ServerResponse, route: ResourceRoute) {
      const n = await node(route.name!);
      const headers: OutgoingHttpHeaders = {};
      for (const h of forwarded) if (req.headers[h] !== undefined) headers[h] = req.headers[h];
      const method = req.method ?? 'GET';
      const hasBody = !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method);
      const up = await kubelet.request(n, method, kubeletPathOf(req, route), headers, hasBody ? req : undefined).catch((e: unknown) => {
        // A kubelet that cannot be reached is the proxy's 503, as upstream's proxy handler says it.
        throw e instanceof StatusError && e.code === 500 ? new StatusError(503, 'ServiceUnavailable', `error trying to reach service: ${e.message}`) : e;
      });
      const out: OutgoingHttpHeaders = {};
      for (const h of returned) if (up.headers[h] !== undefined) out[h] = up.headers[h];
      res.writeHead(up.statusCode ?? 502, out);
      await relayBody(up, res);
    },
    async upgrade(req, socket, head, route) {
      await kubelet.upgrade(await node(route.name!), kubeletPathOf(req, route), req, socket, head);
    },
  };
}
