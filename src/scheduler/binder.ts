// How the scheduler binds a pod to a node: by POSTing a Binding to pods/<name>/binding, as
// client-go's Pods(ns).Bind does. The Client contract has no subresource create yet, so the binder
// is injectable: clientBinder asks the client to create on the `binding` subresource (a client
// that does not know the option fails loudly, it cannot bind by accident), and `kubesvc up` may
// pass one that calls the API server's binding handler in-process.
import type { Pod } from '../api/core.js';
import type { KubeObject } from '../api/meta.js';
import type { Client, WriteOptions } from '../client/client.js';
import { R } from '../client/resources.js';

export interface Binder {
  bind(pod: Pod, nodeName: string): Promise<void>;
}

/** The v1 Binding the scheduler sends. */
export function newBinding(pod: Pod, nodeName: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
    target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
  };
}

export function clientBinder(client: Client): Binder {
  return {
    async bind(pod, nodeName) {
      const opts = { subresource: 'binding' } as WriteOptions;
      await client.create(R.pods, pod.metadata.namespace, newBinding(pod, nodeName), opts);
    },
  };
}
