// How the scheduler binds a pod to a node: by POSTing a Binding to pods/<name>/binding, as
// client-go's Pods(ns).Bind does. Injectable, so tests and other set-ups can bind differently.
import type { Pod } from '../api/core.js';
import type { KubeObject } from '../api/meta.js';
import type { Client } from '../client/client.js';
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
      await client.create(R.pods, pod.metadata.namespace, newBinding(pod, nodeName), { subresource: 'binding' });
    },
  };
}
