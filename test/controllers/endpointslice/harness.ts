// A real API server with the in-process client and shared informers, for the endpoint and
// LoadBalancer controllers' integration tests; pods are created and given a status by hand
// (no node agent), as a kubelet would report it.
import type { Node, Pod, Service, ServicePort } from '../../../src/api/core.js';
import { LocalClient } from '../../../src/apiserver/local-client.js';
import { HttpClient } from '../../../src/client/http-client.js';
import type { Client } from '../../../src/client/client.js';
import { InformerFactoryImpl } from '../../../src/client/informer.js';
import { R } from '../../../src/client/resources.js';
import { startTestCluster, type TestCluster } from '../../client/cluster.js';

export { eventually, sleep } from '../../client/cluster.js';

export interface ControllerCluster {
  cluster: TestCluster;
  client: Client;
  informers: InformerFactoryImpl;
  stop(): Promise<void>;
}

/** Which client the controllers use: in process (as `kubesvc up` wires them) or over HTTPS (as a separate process). */
export type ClientKind = 'LocalClient' | 'HttpClient';
export const clientKinds: ClientKind[] = ['LocalClient', 'HttpClient'];

export async function startControllerCluster(kind: ClientKind = 'LocalClient'): Promise<ControllerCluster> {
  const cluster = await startTestCluster();
  const client = kind === 'HttpClient' ? HttpClient.fromKubeconfig(cluster.kubeconfig) : new LocalClient(cluster.api);
  const informers = new InformerFactoryImpl(client);
  return {
    cluster,
    client,
    informers,
    async stop() {
      informers.stop();
      if (client instanceof HttpClient) client.close();
      await cluster.stop();
    },
  };
}

export async function createNode(client: Client, name: string): Promise<void> {
  const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } };
  await client.create(R.nodes, undefined, node);
}

export async function createService(
  client: Client,
  name: string,
  opts: { selector?: Record<string, string> | null; ports?: ServicePort[]; type?: 'ClusterIP' | 'LoadBalancer'; loadBalancerIP?: string; loadBalancerClass?: string; namespace?: string } = {},
): Promise<Service> {
  const svc: Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: opts.namespace ?? 'default' },
    spec: {
      ...(opts.selector === null ? {} : { selector: opts.selector ?? { app: name } }),
      ports: opts.ports ?? [{ name: 'http', port: 80, targetPort: 9376, protocol: 'TCP' }],
      ...(opts.type ? { type: opts.type } : {}),
      ...(opts.loadBalancerIP ? { loadBalancerIP: opts.loadBalancerIP } : {}),
      ...(opts.loadBalancerClass ? { loadBalancerClass: opts.loadBalancerClass } : {}),
    },
  };
  return client.create<Service>(R.services, svc.metadata.namespace, svc);
}

/** Creates a pod on `node` and reports it Running with `ip`, Ready or not. */
export async function createRunningPod(client: Client, name: string, labels: Record<string, string>, ip: string, ready = true, node = 'node-1'): Promise<Pod> {
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels },
    spec: { nodeName: node, containers: [{ name: 'web', image: 'kubesvc/echo', ports: [{ name: 'http', containerPort: 9376 }] }] },
  };
  await client.create(R.pods, 'default', pod);
  return setPodStatus(client, name, ip, ready);
}

export async function setPodStatus(client: Client, name: string, ip: string, ready: boolean): Promise<Pod> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return client.patch<Pod>(
    R.pods,
    'default',
    name,
    'merge',
    {
      status: {
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        hostIP: '127.0.0.1',
        conditions: [
          { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
          { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
        ],
      },
    },
    { subresource: 'status' },
  );
}
