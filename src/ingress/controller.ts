// The kubesvc ingress controller's cluster side: it watches the Ingresses of its class and the
// Services and EndpointSlices they send to, and keeps an IngressProxy's route table and endpoint
// lists current in memory — no reload, so a change drops no request. Each Ingress's
// status.loadBalancer.ingress is written from the LoadBalancer Service the controller is reached
// through, as ingress-nginx's --publish-service does.
import { createSecureContext, type SecureContext } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import type { Secret, Service } from '../api/core.js';
import type { EndpointSlice } from '../api/discovery.js';
import type { Ingress, IngressClass } from '../api/networking.js';
import type { Client } from '../client/client.js';
import type { Informer, InformerFactory } from '../client/informer-types.js';
import { R } from '../client/resources.js';
import { errorText, logger } from '../util/log.js';
import { backendAddresses, RoundRobin, servicePortName } from './routing/backends.js';
import { buildRouteTable, hostname, type Route } from './routing/match.js';
import { IngressProxy, type ProxyOptions } from './routing/proxy.js';

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
  proxy?: ProxyOptions;
}

export class IngressController {
  readonly proxy: IngressProxy;
  private readonly ingresses: Informer<Ingress>;
  private readonly classes: Informer<IngressClass>;
  private readonly services: Informer<Service>;
  private readonly slices: Informer<EndpointSlice>;
  private readonly secrets: Informer<Secret>;
  /** By host (lower case; `*.foo.com` for wildcards). */
  private tlsHosts = new Map<string, HostTLS>();
  /** Secure contexts by `namespace/name@resourceVersion`: a changed Secret is read again. */
  private readonly contexts = new Map<string, SecureContext>();
  /** One round robin per `namespace/service/portName`, kept across changes so the rotation goes on. */
  private readonly endpoints = new Map<string, RoundRobin>();
  private rebuildQueued = false;
  private statusChain = Promise.resolve();

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    private readonly opts: IngressControllerOptions,
  ) {
    this.ingresses = informers.informer<Ingress>(R.ingresses);
    this.classes = informers.informer<IngressClass>(R.ingressclasses);
    this.services = informers.informer<Service>(R.services);
    this.slices = informers.informer<EndpointSlice>(R.endpointslices);
    this.secrets = informers.informer<Secret>(R.secrets);
    this.proxy = new IngressProxy(buildRouteTable([]), (r) => this.endpointsFor(r), opts.proxy);
    const rebuild = () => this.queueRebuild();
    for (const inf of [this.ingresses, this.classes, this.services] as Informer[]) inf.addEventHandler({ onAdd: rebuild, onUpdate: rebuild, onDelete: rebuild });
    const sliceChanged = (s: EndpointSlice) => {
      this.refreshService(s.metadata.namespace ?? '', s.metadata.labels?.['kubernetes.io/service-name'] ?? '');
      this.closeGonePools();
    };
    this.slices.addEventHandler({ onAdd: sliceChanged, onUpdate: (_o, s) => sliceChanged(s), onDelete: sliceChanged });
  }

  /** Resolves once every informer has its first list. */
  async synced(): Promise<void> {
    await Promise.all([this.ingresses.synced(), this.classes.synced(), this.services.synced(), this.slices.synced(), this.secrets.synced()]);
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
    this.proxy.update(buildRouteTable(mine));
    this.tlsHosts = tlsHosts(mine);
    for (const key of this.endpoints.keys()) {
      const [ns, svc] = key.split('/');
      this.refreshService(ns!, svc!);
    }
    this.closeGonePools();
    this.writeStatuses(mine);
  }

  /** The host's TLS entry: its own, else the wildcard one label up. */
  private hostTLS(host: string): HostTLS | undefined {
    const h = host.toLowerCase();
    const dot = h.indexOf('.');
    return this.tlsHosts.get(h) ?? (dot > 0 ? this.tlsHosts.get(`*${h.slice(dot)}`) : undefined);
  }

  /**
   * The certificate to present for an SNI name: from the kubernetes.io/tls Secret of the Ingress
   * that lists the host; undefined (the default certificate) when none does or the Secret is
   * missing or unreadable.
   */
  secureContext(servername: string): SecureContext | undefined {
    const t = this.hostTLS(servername);
    if (!t) return undefined;
    const secret = this.secrets.lister.get(t.namespace, t.secretName);
    const cert = secret?.data?.['tls.crt'];
    const key = secret?.data?.['tls.key'];
    if (!secret || !cert || !key) return undefined;
    const id = `${t.namespace}/${t.secretName}@${secret.metadata.resourceVersion ?? ''}`;
    let ctx = this.contexts.get(id);
    if (!ctx) {
      try {
        ctx = createSecureContext({ cert: Buffer.from(cert, 'base64'), key: Buffer.from(key, 'base64') });
      } catch (e) {
        log.warn(`secret ${t.namespace}/${t.secretName}: not a usable certificate and key: ${errorText(e)}`);
        return undefined;
      }
      // Older versions of this Secret go.
      for (const k of this.contexts.keys()) if (k.startsWith(`${t.namespace}/${t.secretName}@`)) this.contexts.delete(k);
      this.contexts.set(id, ctx);
    }
    return ctx;
  }

  /** Where a plain-HTTP request is sent instead (308), when its host has TLS and no ssl-redirect: "false". */
  redirect(req: IncomingMessage, httpsPort: number): string | undefined {
    const host = hostname(req.headers.host ?? '');
    const t = this.hostTLS(host);
    if (!t?.redirect) return undefined;
    return `https://${host}${httpsPort === 443 ? '' : `:${httpsPort}`}${req.url ?? '/'}`;
  }

  private key(ns: string, svc: string, port: string): string {
    return `${ns}/${svc}/${port}`;
  }

  /** The endpoints of a route's Service port, looked up on first use and kept current after. */
  private endpointsFor(r: Route): RoundRobin | undefined {
    const name = r.service.name ?? '';
    const svc = this.services.lister.get(r.namespace, name);
    if (!svc) return undefined;
    const port = servicePortName(svc, r.service);
    if (port === undefined) return undefined;
    const key = this.key(r.namespace, name, port);
    let rr = this.endpoints.get(key);
    if (!rr) {
      rr = new RoundRobin(backendAddresses(this.slicesOf(r.namespace, name), port));
      this.endpoints.set(key, rr);
    }
    return rr;
  }

  private slicesOf(ns: string, svc: string): EndpointSlice[] {
    return this.slices.lister.list(ns, (labels) => labels['kubernetes.io/service-name'] === svc);
  }

  /** An EndpointSlice of `ns/svc` changed: its round robins take the new addresses at once. */
  private refreshService(ns: string, svc: string): void {
    if (!svc) return;
    const prefix = `${ns}/${svc}/`;
    let slices: EndpointSlice[] | undefined;
    for (const [key, rr] of this.endpoints) {
      if (!key.startsWith(prefix)) continue;
      slices ??= this.slicesOf(ns, svc);
      rr.update(backendAddresses(slices, key.slice(prefix.length)));
    }
  }

  /** Pools of endpoints no Service has any more are closed (requests in flight finish first). */
  private closeGonePools(): void {
    const live = new Set<string>();
    for (const rr of this.endpoints.values()) for (const a of rr.list()) live.add(`${a.ip}:${a.port}`);
    this.proxy.forget(live);
  }

  /** status.loadBalancer.ingress of each served Ingress: the published Service's LoadBalancer addresses. */
  private writeStatuses(mine: Ingress[]): void {
    const p = this.opts.publishService;
    if (!p) return;
    const svc = this.services.lister.get(p.namespace, p.name);
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
          (e: unknown) => log.warn(`status of ingress ${ing.metadata.namespace}/${ing.metadata.name}: ${errorText(e)}`),
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
