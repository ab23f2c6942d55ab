// The `kubernetes` Service's endpoints list every live API server, as upstream's lease endpoint
// reconciler (--endpoint-reconciler-type=lease): each server keeps its own identity Lease in
// kube-system (`apiserver-<hash>`, label apiserver.kubernetes.io/identity=kube-apiserver) renewed
// well inside its duration, and on every renewal writes the Endpoints and EndpointSlice
// `default/kubernetes` from the Leases that have not expired, deleting the expired ones (upstream's
// identity-lease garbage collector). A stopped server removes its own Lease at once.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../api/meta.js';
import type { Lease } from '../api/validation/lease.js';
import { sha256Base32 } from '../util/sha256-base32.js';
import { logger, errorText } from '../util/log.js';
import { newContext } from './store/context.js';
import { compileMatcher } from './store/selectors.js';
import type { Store } from './store/store.js';

const log = logger('apiserver');

export const identityLabel = 'apiserver.kubernetes.io/identity';
export const identityValue = 'kube-apiserver';
/** Where a server's Lease says it can be reached; upstream keeps this in its master-lease keys. */
export const advertiseAddressAnnotation = 'kubesvc.io/advertise-address';
export const advertisePortAnnotation = 'kubesvc.io/advertise-port';
const leaseNamespace = 'kube-system';

export interface EndpointReconcilerOptions {
  /** How long a Lease counts after its last renewal (upstream's endpoint reconciler TTL: 15 s). */
  leaseDurationSeconds: number;
  /** How often the Lease is renewed and the endpoints reconciled (upstream: 10 s). */
  renewIntervalMs: number;
}

export const defaultEndpointReconciler: EndpointReconcilerOptions = { leaseDurationSeconds: 15, renewIntervalMs: 10_000 };

/** RFC 3339 with microseconds, as metav1.MicroTime. */
const microTime = (d: Date): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** The identity Lease name: "apiserver-" and a hash of where this server runs. */
export function identityLeaseName(address: string, port: number): string {
  return `apiserver-${sha256Base32(`${hostname()}/${address}:${port}`, 26).toLowerCase()}`;
}

export class LeaseEndpointReconciler {
  readonly leaseName: string;
  private readonly holder: string;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: (group: string, resource: string) => Store,
    private readonly address: string,
    private readonly port: number,
    private readonly opts: EndpointReconcilerOptions,
  ) {
    this.leaseName = identityLeaseName(address, port);
    this.holder = `${this.leaseName}_${randomUUID()}`;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.reconcile().catch((e: unknown) => log.warn(`endpoint reconciler: ${errorText(e)}`)), this.opts.renewIntervalMs);
    this.timer.unref();
  }

  /** Stops renewing and removes this server from the endpoints (upstream's RemoveEndpoints at shutdown). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
    try {
      await this.store('coordination.k8s.io', 'leases').delete(newContext({ namespace: leaseNamespace }), leaseNamespace, this.leaseName, {});
      await this.writeEndpoints(await this.liveServers());
    } catch (e) {
      log.debug(`endpoint reconciler stop: ${errorText(e)}`);
    }
  }

  /** Renews this server's Lease and writes the endpoints of every live server; passes never overlap. */
  reconcile(): Promise<void> {
    this.running ??= (async () => {
      await this.renew();
      await this.writeEndpoints(await this.liveServers());
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  private async renew(): Promise<void> {
    const now = microTime(new Date());
    await this.store('coordination.k8s.io', 'leases').guaranteedUpdate(
      newContext({ namespace: leaseNamespace, fieldManager: 'kube-apiserver' }),
      leaseNamespace,
      this.leaseName,
      undefined,
      (cur) => {
        const lease = (cur ? structuredClone(cur) : { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: {} }) as Lease;
        lease.metadata = {
          ...lease.metadata,
          name: this.leaseName,
          namespace: leaseNamespace,
          labels: { ...(lease.metadata.labels ?? {}), [identityLabel]: identityValue, 'kubernetes.io/hostname': hostname() },
          annotations: { ...(lease.metadata.annotations ?? {}), [advertiseAddressAnnotation]: this.address, [advertisePortAnnotation]: String(this.port) },
        };
        lease.spec = {
          ...(lease.spec ?? {}),
          holderIdentity: this.holder,
          leaseDurationSeconds: this.opts.leaseDurationSeconds,
          renewTime: now,
          ...(lease.spec?.acquireTime ? {} : { acquireTime: now }),
        };
        return lease;
      },
      { allowCreate: true },
    );
  }

  /** Servers whose Lease is current, sorted; expired Leases are deleted on the way. */
  private async liveServers(): Promise<{ address: string; port: number }[]> {
    const leases = this.store('coordination.k8s.io', 'leases');
    const { items } = await leases.list(leaseNamespace, { matcher: compileMatcher(leases.info, `${identityLabel}=${identityValue}`) });
    const live: { address: string; port: number }[] = [];
    const now = Date.now();
    for (const item of items) {
      const lease = item.obj as Lease;
      const renewed = Date.parse(lease.spec?.renewTime ?? '') || 0;
      const expires = renewed + (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
      const address = lease.metadata.annotations?.[advertiseAddressAnnotation];
      const port = Number(lease.metadata.annotations?.[advertisePortAnnotation]);
      if (expires <= now) {
        await leases
          .delete(newContext({ namespace: leaseNamespace }), leaseNamespace, lease.metadata.name!, { preconditions: { resourceVersion: String(item.revision) } })
          .catch((e: unknown) => log.debug(`expired apiserver lease ${lease.metadata.name}: ${errorText(e)}`));
        continue;
      }
      if (address && port > 0) live.push({ address, port });
    }
    return live.sort((a, b) => (a.address === b.address ? a.port - b.port : a.address < b.address ? -1 : 1));
  }

  /**
   * Endpoints group addresses by port; the EndpointSlice holds one port list, so it takes the
   * first server's port (upstream assumes every server serves on the same port, as they do in practice).
   */
  private async writeEndpoints(servers: { address: string; port: number }[]): Promise<void> {
    const byPort = new Map<number, string[]>();
    for (const s of servers) byPort.set(s.port, [...(byPort.get(s.port) ?? []), s.address]);
    const subsets = [...byPort].map(([port, ips]) => ({
      addresses: [...new Set(ips)].map((ip) => ({ ip })),
      ports: [{ name: 'https', port, protocol: 'TCP' }],
    }));
    await this.put('', 'endpoints', {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets,
    });
    const port = servers[0]?.port;
    await this.put('discovery.k8s.io', 'endpointslices', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [...new Set(servers.map((s) => s.address))].map((a) => ({ addresses: [a], conditions: { ready: true } })),
      ports: port ? [{ name: 'https', port, protocol: 'TCP' }] : [],
    } as KubeObject);
  }

  /** Creates or corrects the object; an unchanged one is not written (the store skips no-op updates). */
  private async put(group: string, resource: string, obj: KubeObject): Promise<void> {
    const store = this.store(group, resource);
    const ns = obj.metadata.namespace!;
    await store.guaranteedUpdate(
      newContext({ namespace: ns, fieldManager: 'kube-apiserver' }),
      ns,
      obj.metadata.name!,
      undefined,
      (cur) => ({ ...(cur ?? {}), ...obj, metadata: { ...(cur?.metadata ?? {}), labels: obj.metadata.labels ?? {} } }) as KubeObject,
      { allowCreate: true },
    );
  }
}
