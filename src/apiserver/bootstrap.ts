// What every cluster has from its first start, as kube-apiserver's bootstrap controllers create:
// the system namespaces and the `kubernetes` Service with endpoints pointing at this API server.
import type { KubeObject } from '../api/meta.js';
import { StatusError } from '../machinery/status.js';
import { newContext } from './store/context.js';
import type { Store } from './store/store.js';
import type { ServiceAllocations } from './allocators/index.js';

/** What the bootstrap controller needs from the server. */
export interface BootstrapTarget {
  store(group: string, resource: string): Store;
  readonly allocations: ServiceAllocations;
  readonly port: number;
  readonly opts: { advertiseAddress: string };
}

export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensure(api: BootstrapTarget, group: string, resource: string, namespace: string | undefined, obj: KubeObject): Promise<void> {
  const store = api.store(group, resource);
  // On a restart the object is there already; creating it again would trip the allocators.
  if (await store.find(namespace, obj.metadata.name!)) return;
  try {
    await store.create(newContext(namespace ? { namespace } : {}), obj);
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 409)) throw e;
  }
}

/** Creates or corrects an object this server owns (e.g. endpoints after a port change). */
async function reconcile(api: BootstrapTarget, group: string, resource: string, namespace: string, obj: KubeObject): Promise<void> {
  const store = api.store(group, resource);
  const cur = await store.find(namespace, obj.metadata.name!);
  if (!cur) return ensure(api, group, resource, namespace, obj);
  await store.guaranteedUpdate(newContext({ namespace }), namespace, obj.metadata.name!, undefined, (c) => ({
    ...(c ?? {}),
    ...obj,
    metadata: { ...(c?.metadata ?? {}), labels: obj.metadata.labels ?? {} },
  }) as KubeObject);
}

export async function bootstrap(api: BootstrapTarget): Promise<void> {
  for (const name of systemNamespaces) {
    await ensure(api, '', 'namespaces', undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  const ip = api.allocations.serviceIP(1);
  const port = api.port;
  await ensure(api, '', 'services', 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      type: 'ClusterIP',
      clusterIP: ip,
      clusterIPs: [ip],
      ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: port }],
      sessionAffinity: 'None',
    },
  });
  const address = api.opts.advertiseAddress;
  await reconcile(api, '', 'endpoints', 'default', {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: address }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  });
  await reconcile(api, 'discovery.k8s.io', 'endpointslices', 'default', {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  });
}
