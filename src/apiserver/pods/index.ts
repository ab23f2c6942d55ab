// The pod subresources only a node can answer: pods/log, pods/exec, pods/portforward. The
// request handlers go into ApiServer.subresources; exec and port-forward also need the server's
// 'upgrade' listener (attachUpgrade / podUpgradeHandler), since they stream over WebSocket.
import type { Subresources } from '../http/resource-handler.js';
import type { ApiServer } from '../server.js';
import { serveLog } from './log.js';
import { prepareExec, preparePortForward } from './prepare.js';
import { negotiate } from './upgrade.js';

export { attachUpgrade, podUpgradeHandler, type UpgradeHandler } from './upgrade.js';

export function podSubresources(api: ApiServer): Subresources {
  return {
    'pods/log': (req, res, route) => serveLog(api, req, res, route),
    // Reached only without an upgrade (or before the upgrade listener is attached): check the
    // request as upstream would, then say why it cannot be served.
    'pods/exec': async (req, _res, route) => {
      const url = new URL(req.url ?? '/', 'https://kubesvc');
      await prepareExec(api, route, url.searchParams);
      negotiate(req, 'exec');
      throw new Error('exec needs the API server\'s upgrade listener (attachUpgrade)');
    },
    'pods/portforward': async (req, _res, route) => {
      await preparePortForward(api, route);
      negotiate(req, 'portforward');
      throw new Error('port-forward needs the API server\'s upgrade listener (attachUpgrade)');
    },
  };
}
