// GET pods/log: upstream's PodLogOptions checks (pkg/registry/core/pod/rest/log.go), then the
// kubelet's containerLogs stream copied to the client as text/plain, each chunk sent as it
// arrives so that `kubectl logs -f` shows lines as they are written.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors } from '../../machinery/status.js';
import type { ResourceRoute } from '../http/route.js';
import { KubeletClient } from '../kubelet-client.js';
import { logOptionsQuery, parseLogOptions } from '../../streaming/log-options.js';
import { sendLogStream } from '../../streaming/log-stream.js';
import type { PodNodeAccess } from './access.js';
import { checkLogStatus, getPod, kubeletPath, nodeFor, nodeNameOf, resolveContainer } from './target.js';

export async function serveLog(access: PodNodeAccess, req: IncomingMessage, res: ServerResponse, route: ResourceRoute): Promise<void> {
  if ((req.method ?? 'GET') !== 'GET') throw errors.methodNotSupported({ group: '', resource: 'pods/log' }, (req.method ?? '').toLowerCase());
  const url = new URL(req.url ?? '/', 'https://kubesvc');
  const name = route.name!;
  const opts = parseLogOptions(url.searchParams, name);
  const { pod, namespace } = await getPod(access, route.namespace, name);
  const container = resolveContainer(pod, name, opts.container);
  const nodeName = nodeNameOf(pod);
  // Upstream answers an unscheduled pod with an empty log (LogLocation returns no location).
  if (!nodeName) return sendLogStream(res, undefined);
  const node = await nodeFor(access, nodeName);
  checkLogStatus(pod, name, container, opts.previous === true);
  const kubelet = await access.kubelet.request(node, 'GET', kubeletPath(['containerLogs', namespace, name, container], logOptionsQuery(opts)));
  if (kubelet.statusCode !== 200) throw await KubeletClient.failure(kubelet);
  return sendLogStream(res, kubelet);
}
