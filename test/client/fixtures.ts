// Objects the client tests write, and the fixture each suite runs against.
import type { KubeObject } from '../../src/api/meta.js';
import type { ApiServer } from '../../src/apiserver/server.js';
import type { Client } from '../../src/client/client.js';

export interface ClientFixture {
  client: Client;
  api: ApiServer;
  /** Namespaces the suites may create objects in (created by the fixture). */
  close(): Promise<void>;
}

export type Setup = () => Promise<ClientFixture>;

export function endpoints(name: string, namespace: string, labels: Record<string, string> = {}, ip = '127.0.0.5'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name, namespace, labels },
    subsets: [{ addresses: [{ ip }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }],
  };
}

export function deployment(name: string, namespace: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'web', image: 'nginx:1' },
            { name: 'sidecar', image: 'busybox:1' },
          ],
        },
      },
    },
  };
}

export function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

/**
 * A stand-in pods/binding handler, registered the same way in both clients' servers (HTTP in
 * ApiServer.subresources, in-process in LocalClient's options): it answers what upstream's
 * binding answers, a 201 Success Status, naming the pod and the target node.
 */
