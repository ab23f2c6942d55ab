// What the streaming pod subresources (log, exec, port-forward) need from the rest of the server,
// and nothing more: the stored pod, whether a node exists, and the connector of the node a pod
// runs on. The pods registry entry builds it from the stores; the pods/* files import no server.
import type { Pod } from '../../api/core.js';
import type { NodeConnector } from '../node-connector.js';

export interface PodNodeAccess {
  /** The stored pod; the pods store's 404 when there is none. */
  pod(namespace: string | undefined, name: string): Promise<Pod>;
  /** Resolves when the Node exists; the nodes store's 404 otherwise. */
  node(name: string): Promise<void>;
  /** The connector a node agent registered, if one did. */
  connector(nodeName: string): NodeConnector | undefined;
}
