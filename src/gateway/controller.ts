// The kubesvc gateway controller (controllerName kubesvc.io/gateway-controller): it watches the
// Gateway API objects and what they refer to, recomputes the plan (model.ts) on every change —
// batched per tick — swaps the data plane's GatewayRouter in memory (no reload, so no request is
// dropped) and writes the statuses the spec asks for. Gateways of its classes share one data
// plane: the pod it runs in, reached through that pod's LoadBalancer Service, whose IPs become
// every Gateway's status.addresses.
import type { SecureContext } from 'node:tls';
import type { Namespace, Secret } from '../api/core.js';
import type { Condition, Gateway, GatewayClass, HTTPRoute, ReferenceGrant, RouteParentStatus } from '../api/gateway.js';
import type { Client } from '../client/client.js';
import type { Informer, InformerFactory } from '../client/informer-types.js';
import { R } from '../client/resources.js';
import type { Decision, RoutedRequest } from '../ingress/routing/proxy.js';
import type { ServiceEndpoints } from '../ingress/routing/service-endpoints.js';
import { TLSContexts } from '../ingress/routing/tls-contexts.js';
import { errorText, logger } from '../util/log.js';
import { metaTime } from '../machinery/time.js';
import { isConflict } from '../machinery/status.js';
import { hostScore } from './hostnames.js';
import { backendProblem, keepTransitionTimes, planGateways, type GatewayPlan, type ServedListener } from './model.js';
import { GatewayRouter } from './router.js';

const log = logger('gateway');

export interface GatewayControllerOptions {
  controllerName: string;
  /** The listener ports served, per protocol. */
  ports: { HTTP: number[]; HTTPS: number[] };
  /** The LoadBalancer Service the data plane is reached through: its IPs are the Gateways' addresses. */
  publishService?: { namespace: string; name: string };
}

/** Statuses compared without lastTransitionTime, so an unchanged status is not written again. */
const same = (a: unknown, b: unknown) => JSON.stringify(a, (k, v) => (k === 'lastTransitionTime' ? undefined : v)) === JSON.stringify(b, (k, v) => (k === 'lastTransitionTime' ? undefined : v));

export class GatewayController {
  private readonly classes: Informer<GatewayClass>;
  private readonly gateways: Informer<Gateway>;
  private readonly routes: Informer<HTTPRoute>;
  private readonly grants: Informer<ReferenceGrant>;
  private readonly namespaces: Informer<Namespace>;
  private readonly secrets: Informer<Secret>;
  private readonly tls: TLSContexts;
  private router: GatewayRouter;
  private listeners: ServedListener[] = [];
  private queued = false;
  private writes = Promise.resolve();

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    private readonly endpoints: ServiceEndpoints,
    private readonly opts: GatewayControllerOptions,
  ) {
    this.classes = informers.informer<GatewayClass>(R.gatewayclasses);
    this.gateways = informers.informer<Gateway>(R.gateways);
    this.routes = informers.informer<HTTPRoute>(R.httproutes);
    this.grants = informers.informer<ReferenceGrant>(R.referencegrants);
    this.namespaces = informers.informer<Namespace>(R.namespaces);
    this.secrets = informers.informer<Secret>(R.secrets);
    this.tls = new TLSContexts(this.secrets.lister);
    this.router = this.newRouter([]);
    const changed = () => this.queue();
    for (const inf of [this.classes, this.gateways, this.routes, this.grants, this.namespaces, this.secrets, endpoints.services] as Informer[])
      inf.addEventHandler({ onAdd: changed, onUpdate: changed, onDelete: changed });
  }

  async synced(): Promise<void> {
    await Promise.all([this.classes, this.gateways, this.routes, this.grants, this.namespaces, this.secrets].map((i) => i.synced()));
    await this.endpoints.synced();
    this.rebuild();
  }

  /** The router for the proxy: a Gateway listener's answer, or undefined when no listener is for this request. */
  readonly route = (req: RoutedRequest, scheme: 'http' | 'https'): Decision | undefined => this.router.route(req, scheme);

  /** The certificate for an SNI name: of the most specific HTTPS listener whose hostname matches it. */
  secureContext(servername: string): SecureContext | undefined {
    const host = servername.toLowerCase();
    let best: ServedListener | undefined;
    let bestScore = -1;
    for (const l of this.listeners) {
      if (l.protocol !== 'HTTPS' || !l.certificates.length) continue;
      const s = hostScore(l.hostname ?? null, host);
      if (s > bestScore) {
        best = l;
        bestScore = s;
      }
    }
    const c = best?.certificates[0];
    return c ? this.tls.get(c.namespace, c.name) : undefined;
  }

  private newRouter(listeners: ServedListener[]): GatewayRouter {
    return new GatewayRouter(listeners, {
      endpoints: (ns, name, port) => this.endpoints.get(ns, name, port === undefined ? undefined : { number: port }),
      backendProblem: (ref, ns) => backendProblem(ref, ns, { grants: this.grants.lister.list(), serviceExists: (n, s) => !!this.endpoints.services.lister.get(n, s) }),
    });
  }

  private queue(): void {
    if (this.queued) return;
    this.queued = true;
    // Changes that arrive together are planned together, once.
    queueMicrotask(() => {
      this.queued = false;
      if (this.classes.hasSynced() && this.gateways.hasSynced() && this.routes.hasSynced()) this.rebuild();
    });
  }

  private addresses(): string[] {
    const p = this.opts.publishService;
    if (!p) return [];
    const svc = this.endpoints.services.lister.get(p.namespace, p.name);
    return (svc?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter((ip) => ip !== '');
  }

  private rebuild(): void {
    const plan = planGateways({
      controllerName: this.opts.controllerName,
      classes: this.classes.lister.list(),
      gateways: this.gateways.lister.list(),
      routes: this.routes.lister.list(),
      grants: this.grants.lister.list(),
      namespaceLabels: (n) => this.namespaces.lister.get(undefined, n)?.metadata.labels ?? (this.namespaces.lister.get(undefined, n) ? {} : undefined),
      serviceExists: (ns, name) => !!this.endpoints.services.lister.get(ns, name),
      secret: (ns, name) => this.secrets.lister.get(ns, name),
      ports: this.opts.ports,
      addresses: this.addresses(),
      now: metaTime(),
    });
    this.listeners = plan.listeners;
    this.router = this.newRouter(plan.listeners);
    this.endpoints.refreshAll();
    this.writeStatuses(plan);
  }

  private write(what: string, fn: () => Promise<unknown>): void {
    this.writes = this.writes.then(fn).then(
      () => undefined,
      // A conflict means a newer object is on its way: its event brings another plan and, if
      // the status still differs, the next write. Not worth a warning.
      (e: unknown) => (isConflict(e) ? log.debug(`status of ${what}: ${errorText(e)}`) : log.warn(`status of ${what}: ${errorText(e)}`)),
    );
  }

  private writeStatuses(plan: GatewayPlan): void {
    for (const [name, conditions] of plan.classStatus) {
      const c = this.classes.lister.get(undefined, name);
      if (!c || same(c.status?.conditions, conditions)) continue;
      const status = { ...(c.status ?? {}), conditions: keepTransitionTimes(conditions, c.status?.conditions) };
      this.write(`gatewayclass ${name}`, () => this.client.update(R.gatewayclasses, undefined, { ...c, status }, { subresource: 'status' }));
    }
    for (const [key, status] of plan.gatewayStatus) {
      const [ns, name] = key.split('/') as [string, string];
      const gw = this.gateways.lister.get(ns, name);
      if (!gw || same(gw.status, status)) continue;
      const next = {
        ...status,
        conditions: keepTransitionTimes(status.conditions ?? [], gw.status?.conditions),
        listeners: (status.listeners ?? []).map((l) => ({ ...l, conditions: keepTransitionTimes(l.conditions, gw.status?.listeners?.find((x) => x.name === l.name)?.conditions) })),
      };
      this.write(`gateway ${key}`, () => this.client.update(R.gateways, ns, { ...gw, status: next }, { subresource: 'status' }));
    }
    for (const route of this.routes.lister.list()) {
      const key = `${route.metadata.namespace}/${route.metadata.name}`;
      const mine = plan.routeStatus.get(key) ?? [];
      const prior = route.status?.parents ?? [];
      const others = prior.filter((p) => p.controllerName !== this.opts.controllerName);
      const priorMine = prior.filter((p) => p.controllerName === this.opts.controllerName);
      if (same(priorMine, mine)) continue;
      const parents: RouteParentStatus[] = [
        ...others,
        ...mine.map((p) => ({ ...p, conditions: keepTransitionTimes(p.conditions, priorMine.find((x) => same(x.parentRef, p.parentRef))?.conditions as Condition[] | undefined) })),
      ];
      this.write(`httproute ${key}`, () => this.client.update(R.httproutes, route.metadata.namespace, { ...route, status: { ...(route.status ?? {}), parents } }, { subresource: 'status' }));
    }
  }
}
