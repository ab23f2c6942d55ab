// The kubesvc ingress controller's cluster side: it watches the Ingresses of its class and keeps
// a route table in memory that its router (a Router for the shared HttpProxy) reads per request,
// with the endpoints of each Service port from ServiceEndpoints — no reload, so a change drops no
// request. Each Ingress's status.loadBalancer.ingress is written from the LoadBalancer Service the
// controller is reached through, as ingress-nginx's --publish-service does.
import type { SecureContext } from 'node:tls';
import type { Secret } from '../api/core.js';
import type { Ingress, IngressClass } from '../api/networking.js';
import type { Client } from '../client/client.js';
import type { Informer, InformerFactory } from '../client/informer-types.js';
import { R } from '../client/resources.js';
import { errorText, logger } from '../util/log.js';
import { isConflict } from '../machinery/status.js';
import { buildRouteTable, hostname, route, type Route, type RouteTable } from './routing/match.js';
import type { Decision, RoutedRequest } from './routing/proxy.js';
import type { ServiceEndpoints } from './routing/service-endpoints.js';
import { TLSContexts } from './routing/tls-contexts.js';

const log = logger('ingress');

/** The legacy annotation some Ingresses still name their class with. */
const legacyClassAnnotation = 'kubernetes.io/ingress.class';
/** ingress-nginx's: "false" keeps plain HTTP for a host that has TLS (redirected to HTTPS by default). */
export const sslRedirectAnnotation = 'nginx.ingress.kubernetes.io/ssl-redirect';

/** A host's TLS: the Secret named by the oldest Ingress that lists the host, and whether HTTP is redirected. */
interface HostTLS {
  namespace: string;
  secretName: string;
  redirect: boolean;
}

export interface IngressControllerOptions {
  /** The IngressClass whose Ingresses this controller serves. */
  className: string;
  /** The controller name that class must carry (spec.controller). */
  controllerName: string;
  /** The Service clients reach the controller through: its LoadBalancer IPs go into each Ingress's status. */
  publishService?: { namespace: string; name: string };
}

export class IngressController {
  private readonly ingresses: Informer<Ingress>;
  private readonly classes: Informer<IngressClass>;
  private readonly secrets: Informer<Secret>;
  private table: RouteTable = buildRouteTable([]);
  /** By host (lower case; `*.foo.com` for wildcards). */
  private tlsHosts = new Map<string, HostTLS>();
  private readonly tls: TLSContexts;
  private rebuildQueued = false;
  private statusChain = Promise.resolve();

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    private readonly endpoints: ServiceEndpoints,
    private readonly opts: IngressControllerOptions,
  ) {
    this.ingresses = informers.informer<Ingress>(R.ingresses);
    this.classes = informers.informer<IngressClass>(R.ingressclasses);
    this.secrets = informers.informer<Secret>(R.secrets);
    this.tls = new TLSContexts(this.secrets.lister);
    const rebuild = () => this.queueRebuild();
    for (const inf of [this.ingresses, this.classes, endpoints.services] as Informer[]) inf.addEventHandler({ onAdd: rebuild, onUpdate: rebuild, onDelete: rebuild });
  }

  /** The router for the proxy: an Ingress path's Service endpoints, the defaultBackend, or undefined (404). */
  readonly route = (req: RoutedRequest): Decision | undefined => {
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const r = route(this.table, req.headers.host ?? '', query < 0 ? url : url.slice(0, query));
    if (!r) return undefined;
    // One decision per route of the table, made on its first request: a rebuild (any Ingress,
    // class or Service change) makes new routes, and the endpoints it holds are updated in place
    // as EndpointSlices change, so it stays right for the table's life.
    let d = this.decisions.get(r);
    if (!d) {
      d = {
        kind: 'forward',
        info: { kind: 'Ingress', namespace: r.namespace, name: r.ingress.slice(r.namespace.length + 1), service: r.service.name ?? '' },
        endpoints: this.endpoints.get(r.namespace, r.service.name ?? '', r.service.port),
      };
      this.decisions.set(r, d);
    }
    return d;
  };
  private readonly decisions = new WeakMap<Route, Decision>();

  /** Resolves once every informer has its first list. */
  async synced(): Promise<void> {
    await Promise.all([this.ingresses.synced(), this.classes.synced(), this.endpoints.synced(), this.secrets.synced()]);
    this.rebuild();
  }

  /** Whether an Ingress is this controller's: its class, by name or (older Ingresses) annotation. */
  owns(ing: Ingress): boolean {
    const name = ing.spec?.ingressClassName ?? ing.metadata.annotations?.[legacyClassAnnotation];
    if (name !== this.opts.className) return false;
    const cls = this.classes.lister.get(undefined, name);
    return !cls || cls.spec?.controller === this.opts.controllerName;
  }

  private queueRebuild(): void {
    if (this.rebuildQueued) return;
    this.rebuildQueued = true;
    // Changes that arrive together are applied together, once.
    queueMicrotask(() => {
      this.rebuildQueued = false;
      this.rebuild();
    });
  }

  private rebuild(): void {
    const mine = this.ingresses.lister.list().filter((i) => this.owns(i));
    this.table = buildRouteTable(mine);
    this.tlsHosts = tlsHosts(mine);
    this.endpoints.refreshAll();
    this.writeStatuses(mine);
  }

  /** The TLS entry of a lower-case host name: its own, else the wildcard one label up. */
  private hostTLS(h: string): HostTLS | undefined {
    if (this.tlsHosts.size === 0) return undefined;
    const dot = h.indexOf('.');
    return this.tlsHosts.get(h) ?? (dot > 0 ? this.tlsHosts.get(`*${h.slice(dot)}`) : undefined);
  }

  /**
   * The certificate to present for an SNI name: from the kubernetes.io/tls Secret of the Ingress
   * that lists the host; undefined (the default certificate) when none does or the Secret is
   * missing or unreadable.
   */
  secureContext(servername: string): SecureContext | undefined {
    const t = this.hostTLS(servername.toLowerCase());
    return t ? this.tls.get(t.namespace, t.secretName) : undefined;
  }

  /** Where a plain-HTTP request is sent instead (308), when its host has TLS and no ssl-redirect: "false". */
  redirect(req: RoutedRequest, httpsPort: number): string | undefined {
    const host = hostname(req.headers.host ?? '');
    const t = this.hostTLS(host);
    if (!t?.redirect) return undefined;
    return `https://${host}${httpsPort === 443 ? '' : `:${httpsPort}`}${req.url ?? '/'}`;
  }

  /** status.loadBalancer.ingress of each served Ingress: the published Service's LoadBalancer addresses. */
  private writeStatuses(mine: Ingress[]): void {
    const p = this.opts.publishService;
    if (!p) return;
    const svc = this.endpoints.services.lister.get(p.namespace, p.name);
    const want = (svc?.status?.loadBalancer?.ingress ?? []).map((i) => ({ ...(i.ip ? { ip: i.ip } : {}), ...(i.hostname ? { hostname: i.hostname } : {}) }));
    for (const ing of mine) {
      const have = ing.status?.loadBalancer?.ingress ?? [];
      if (JSON.stringify(have) === JSON.stringify(want)) continue;
      const next: Ingress = { ...ing, status: { ...(ing.status ?? {}), loadBalancer: { ingress: want } } };
      this.statusChain = this.statusChain
        .then(() => this.client.update(R.ingresses, ing.metadata.namespace, next, { subresource: 'status' }))
        .then(
          () => undefined,
          // A conflict means a newer Ingress is on its way: its event brings the next try.
          (e: unknown) => {
            const msg = `status of ingress ${ing.metadata.namespace}/${ing.metadata.name}: ${errorText(e)}`;
            if (isConflict(e)) log.debug(msg);
            else log.warn(msg);
          },
        );
    }
  }
}

/** Each host's TLS from the served Ingresses, the oldest Ingress first (as ingress-nginx). */
function tlsHosts(ingresses: Ingress[]): Map<string, HostTLS> {
  const out = new Map<string, HostTLS>();
  const sorted = [...ingresses].sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''));
  for (const ing of sorted) {
    const redirect = ing.metadata.annotations?.[sslRedirectAnnotation] !== 'false';
    for (const t of ing.spec?.tls ?? []) {
      if (!t.secretName) continue;
      for (const h of t.hosts ?? []) {
        const host = h.toLowerCase();
        if (!out.has(host)) out.set(host, { namespace: ing.metadata.namespace ?? 'default', secretName: t.secretName, redirect });
      }
    }
  }
  return out;
}
