// The pod subresources only a node can answer: pods/log, pods/exec, pods/portforward, served with
// nothing but PodNodeAccess (the pod, the node, the node's connector). exec and port-forward
// stream over WebSocket, so they are reached through the server's upgrade listener; a plain
// request to them is checked as upstream would and then told why it cannot be served.
import type { SubresourceREST } from '../registry/entry.js';
import type { PodNodeAccess } from './access.js';
import { serveLog } from './log.js';
import { prepareExec, preparePortForward } from './prepare.js';
import { negotiate, upgradeExec, upgradePortForward } from './upgrade.js';

export type { PodNodeAccess } from './access.js';

export function podStreamingSubresources(access: PodNodeAccess): Record<string, SubresourceREST> {
  return {
    log: { serve: (req, res, route) => serveLog(access, req, res, route) },
    exec: {
      async serve(req, _res, route) {
        const url = new URL(req.url ?? '/', 'https://kubesvc');
        await prepareExec(access, route, url.searchParams);
        negotiate(req, 'exec');
        throw new Error('exec is served only over an upgraded connection');
      },
      upgrade: (req, socket, head, route) => upgradeExec(access, req, socket, head, route),
    },
    portforward: {
      async serve(req, _res, route) {
        await preparePortForward(access, route);
        negotiate(req, 'portforward');
        throw new Error('port-forward is served only over an upgraded connection');
      },
      upgrade: (req, socket, head, route) => upgradePortForward(access, req, socket, head, route),
    },
  };
}
