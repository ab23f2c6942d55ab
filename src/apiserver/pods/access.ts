// What the streaming pod subresources (log, exec, port-forward) need from the rest of the server,
// and nothing more: the stored pod, the Node it runs on, and the client for that node's kubelet.
// The pods registry entry builds it from the stores; the pods/* files import no server.
import type { Node, Pod } from '../../api/core.js';
import type { KubeletClient } from '../kubelet-client.js';

export interface PodNodeAccess {
  /** The stored pod; the pods store's 404 when there is none. */
  pod(namespace: string | undefined, name: string): Promise<Pod>;
  /** The stored Node; the nodes store's 404 when there is none. */
  node(name: string): Promise<Node>;
  kubelet: KubeletClient;
}
