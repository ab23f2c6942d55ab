// What every cluster has from its first start, as kube-apiserver's bootstrap controllers create:
// the system namespaces and the `kubernetes` Service, whose endpoints the lease endpoint reconciler
// keeps listing every live API server (the default ServiceCIDR is the allocation repair's).
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
  readonly endpoints: { reconcile(): Promise<void> } | undefined;
}

export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

async function ensure(api: BootstrapTarget, group: string, resource: string, namespace: string | undefined, obj: KubeObject): Promise<void> {
  const store = api.store(group, resource);
  // On a restart the object is there already; creating it again would trip the allocators.
  if (await store.find(namespace, obj.metadata.name!)) return;
  for (let attempt = 1; ; attempt++) {
    try {
      await store.create(newContext(namespace ? { namespace } : {}), obj);
      return;
    } catch (e) {
      // Another API server sharing the storage is making it (its ClusterIP may have been taken
      // first, a 422 here, before its Service is written): what counts is that it exists. Wait a
      // little for it; if it never comes (that server failed and gave the address back), try again.
      if (!(e instanceof StatusError && (e.code === 409 || e.code === 422)) || attempt >= 5) throw e;
      const deadline = Date.now() + 2_000;
      while (Date.now() < deadline) {
        if (await store.find(namespace, obj.metadata.name!)) return;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }
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
  await api.endpoints?.reconcile();
}
