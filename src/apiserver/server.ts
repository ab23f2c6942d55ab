// The API server: HTTPS with client-certificate authentication in front of the registry stores,
// plus discovery, OpenAPI, version and health endpoints.
import { answerClientError } from './http/client-error.js';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Backend } from '../storage/backend.js';
import { StatusError } from '../machinery/status.js';
import { WatchCache } from './store/watch-cache.js';
import type { Store } from './store/store.js';
import { ServiceAllocations } from './allocators/index.js';
import { AllocationRepair } from './allocators/repair.js';
import { defaultEndpointReconciler, LeaseEndpointReconciler, type EndpointReconcilerOptions } from './endpoint-reconciler.js';
import { LocalClient } from './local-client.js';
import { EventRecorder } from '../client/events.js';
import { NamespaceCleanup } from './registry/namespace-cleanup.js';
import { CRDController } from './registry/apiextensions/crd-controller.js';
import type { Registry } from './registry/registry.js';
import { builtinRegistry } from './registry/builtin.js';
import { StorageMap } from './storage-map.js';
import { route, requestPath } from './http/route.js';
import { serveContained } from './http/containment.js';
import { ResourceHandler, type Subresources } from './http/resource-handler.js';
import { sendJSON, sendRaw } from './http/respond.js';
import { isUIPath, serveUI } from './ui/static.js';
import type { Node, Pod } from '../api/core.js';
import { ingressControllerNamespace, trafficPath, TrafficView } from './ui/traffic.js';
import { apiGroup, apiGroupList, apiResourceList, apiVersions, versionInfo } from './discovery.js';
import { OpenAPIRoutes } from './http/openapi-routes.js';
import { serveDiscoveryRoot } from './http/discovery-root.js';
import { bootstrap } from './bootstrap.js';
import { KubeletClient } from './kubelet-client.js';
import { upgradeHandler } from './http/upgrade.js';
import { Authentication, authorize } from './auth/index.js';
import { jwksPath, legacyTokenLastUsedLabel, openIDConfigurationPath, ServiceAccountTokens, type ObjectLookup } from './auth/serviceaccount/index.js';
import { BootstrapTokenAuthenticator } from './auth/bootstrap-token.js';
import { newContext } from './store/context.js';
import { serveOpenIDMetadata } from './http/openid-metadata.js';
import type { KubeObject } from '../api/meta.js';
import { objectKey } from './resources.js';
import { Authorizer } from './auth/authorizer.js';
import { StoredPolicy } from './auth/policy-source.js';
import { NodeAuthorizer } from './auth/node-authorizer.js';
import { nodeRules } from './auth/bootstrap-policy.js';
import { bootstrapNamespacedRBAC, bootstrapRBAC } from './rbac-bootstrap.js';
import { MaxInFlight } from './http/max-inflight.js';
import { applyTimeouts, ConnectionLimiter, headerSweepInterval, defaultServingLimits, type ServingLimits } from './serving-limits.js';
import { logger } from '../util/log.js';
import { GracefulShutdown } from './http/graceful-shutdown.js';
import { defaultTolerationSeconds, type DefaultTolerationSeconds } from './registry/pod-default-tolerations.js';
import { ResourceMetrics } from './metrics/resource-metrics.js';

const log = logger('apiserver');

export interface ApiServerOptions {
  backend: Backend;
  host: string;
  port: number;
  tls: { cert: string; key: string; ca: string };
  /** --kubelet-client-certificate/-key: how this server proves itself to kubelets (their CA is tls.ca). */
  kubeletClient?: { cert: string; key: string };
  serviceCIDR: string;
  nodePortRange: { base: number; size: number };
  /** Address clients should use for the `kubernetes` Service's endpoints. */
  advertiseAddress: string;
  /** Timeouts, connection caps and --max-(mutating-)requests-inflight; upstream's defaults where it has them. */
  limits?: Partial<ServingLimits>;
  /** The resources to serve; the built-in kinds by default. Entries may be added and removed while running. */
  registry?: Registry;
  /** Pods must name a ServiceAccount that exists (upstream's admission; needs the ServiceAccounts controller). */
  serviceAccountLookup?: boolean;
  /** --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds (300 each); false turns DefaultTolerationSeconds off. */
  defaultTolerationSeconds?: DefaultTolerationSeconds | false;
  /** PEM of the RSA key service-account tokens are signed with (DIR/pki/sa.key); a throwaway one when absent. */
  serviceAccountKey?: string;
  /** --service-account-issuer; kubeadm's https://kubernetes.default.svc.cluster.local by default. */
  serviceAccountIssuer?: string;
  /** --anonymous-auth: requests without credentials are system:anonymous (default true, as upstream) or 401. */
  anonymousAuth?: boolean;
  /** How often the ClusterIP and NodePort repair loops run (upstream: every 3 minutes). */
  allocationRepairIntervalMs?: number;
  /** The `kubernetes` Service's lease endpoint reconciler: Lease duration and renew interval (upstream: 15 s, 10 s). */
  endpointReconciler?: Partial<EndpointReconcilerOptions>;
}

export type ReadyCheck = () => boolean;

export class ApiServer {
  /** What is served: add or remove entries here to change it at run time. */
  readonly registry: Registry;
  /** Each served entry's store and subresources, following the registry. */
  readonly storage: StorageMap;
  readonly allocations: ServiceAllocations;
  readonly watchCache: WatchCache;
  /** Handlers other components register by "<resource>/<subresource>" (they win over the registry entry's). */
  readonly subresources: Subresources = {};
  /** How pods/log, pods/exec and pods/portforward reach the node a pod runs on. */
  /** How pods/log, exec, port-forward and nodes/proxy reach a node's kubelet API. */
  readonly kubelet: KubeletClient;
  /** The live view's traffic figures, collected from the kubelets (ui/traffic.ts). */
  private readonly traffic: TrafficView;
  private readonly readyChecks = new Map<string, ReadyCheck>();
  private server: https.Server | undefined;
  private cleanup: NamespaceCleanup | undefined;
  private crds: CRDController | undefined;
  private repair: AllocationRepair | undefined;
  /** Keeps this server in the `kubernetes` Service's endpoints while it runs. */
  endpoints: LeaseEndpointReconciler | undefined;
  private bootstrapped = false;
  private rbacBootstrapped = false;
  private readonly handler: ResourceHandler;
  private readonly openapi: OpenAPIRoutes;
  /** Open watch and exec streams, ended at stop. */
  private readonly sockets = new Set<import('node:stream').Duplex>();
  private graceful: GracefulShutdown | undefined;
  private stopping: Promise<void> | undefined;
  readonly limits: ServingLimits;
  readonly maxInFlight: MaxInFlight;
  readonly connections: ConnectionLimiter;
  /** RBAC over the stored roles and bindings (the bootstrap policy until those are written). */
  readonly authorizer: Authorizer;
  /** The signing key, issuer and authenticator of service-account tokens. */
  readonly serviceAccountTokens: ServiceAccountTokens;
  /** Client certificates, bearer tokens, anonymous requests. */
  readonly authentication: Authentication;

  constructor(readonly opts: ApiServerOptions) {
    this.limits = { ...defaultServingLimits, ...opts.limits };
    this.kubelet = new KubeletClient({ ca: opts.tls.ca, ...opts.kubeletClient });
    const cached = (resource: string) => this.storage.find('', 'v1', resource)?.store.cachedObjects() ?? [];
    this.traffic = new TrafficView(
      () => cached('nodes') as Node[],
      this.kubelet,
      () => (cached('pods') as Pod[]).filter((p) => p.metadata.namespace === ingressControllerNamespace),
    );
    this.maxInFlight = new MaxInFlight(this.limits);
    this.connections = new ConnectionLimiter(this.limits);
    this.registry = opts.registry ?? builtinRegistry();
    this.watchCache = new WatchCache(opts.backend, '/registry/');
    this.allocations = new ServiceAllocations({
      serviceCIDR: opts.serviceCIDR,
      nodePortRange: opts.nodePortRange,
      ipaddresses: () => this.store('networking.k8s.io', 'ipaddresses'),
      backend: opts.backend,
    });
    this.authorizer = new Authorizer(new StoredPolicy((g, r) => this.store(g, r), () => this.rbacBootstrapped));
    // What a token's validity depends on, read from the watch cache on every request.
    const lookup: ObjectLookup = (resource, namespace, name) => this.cachedObject(resource, namespace, name);
    this.serviceAccountTokens = new ServiceAccountTokens({
      ...(opts.serviceAccountKey ? { signingKeyPem: opts.serviceAccountKey } : {}),
      ...(opts.serviceAccountIssuer ? { issuer: opts.serviceAccountIssuer } : {}),
      lookup,
      markLegacyTokenUsed: (namespace, name, today) => this.markLegacyTokenUsed(namespace, name, today),
    });
    this.authentication = new Authentication(this.serviceAccountTokens.authenticator, opts.anonymousAuth ?? true, [new BootstrapTokenAuthenticator(lookup)], this.serviceAccountTokens.apiAudiences);
    // --authorization-mode=Node,RBAC: kubelets are judged by what is bound to them first.
    const rulesForNodes = nodeRules();
    this.authorizer.use(
      new NodeAuthorizer(
        () => this.storage.find('', 'v1', 'pods')?.store.cache,
        () => rulesForNodes,
        () => this.storage.find('', 'v1', 'persistentvolumeclaims')?.store.cache,
      ),
    );
    this.storage = new StorageMap(this.registry, opts.backend, this.watchCache, {
      allocations: this.allocations,
      kubelet: this.kubelet,
      authorizer: this.authorizer,
      serviceAccountTokens: this.serviceAccountTokens,
      authentication: this.authentication,
      // Nodes are read when a metrics request comes (the storage map is built by then).
      resourceMetrics: new ResourceMetrics(this.kubelet, () => cached('nodes') as Node[]),
      admission: {
        serviceAccountLookup: opts.serviceAccountLookup ?? false,
        ...(opts.defaultTolerationSeconds !== false ? { defaultTolerationSeconds: opts.defaultTolerationSeconds ?? defaultTolerationSeconds } : {}),
      },
    });
    this.handler = new ResourceHandler(this.storage, this.subresources);
    this.openapi = new OpenAPIRoutes(this.registry);
    this.addReadyCheck('etcd', () => this.watchCache.revision >= 0);
    this.addReadyCheck('informer-sync', () => this.server !== undefined);
    this.addReadyCheck('poststarthook/bootstrap-controller', () => this.bootstrapped);
  }

  store(group: string, resource: string): Store {
    return this.storage.store(group, resource);
  }

  /** A core/v1 object from the watch cache, without waiting: what authentication looks up on every request. */
  private cachedObject(resource: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const s = this.storage.find('', 'v1', resource)?.store;
    return s?.cache.objects.get(objectKey(s.info, namespace, name))?.obj;
  }

  /** Secrets being labelled as used today, so a burst of requests with one token writes it once. */
  private readonly labellingSecrets = new Set<string>();

  /** Labels a legacy token Secret with the day it was used, in the background (a failure only means a later try). */
  private markLegacyTokenUsed(namespace: string, name: string, today: string): void {
    const key = `${namespace}/${name}`;
    if (this.labellingSecrets.has(key)) return;
    this.labellingSecrets.add(key);
    void this.store('', 'secrets')
      .guaranteedUpdate(newContext({ namespace, fieldManager: 'kube-apiserver' }), namespace, name, undefined, (current) => {
        if (!current) throw new Error('gone');
        const next = structuredClone(current);
        next.metadata.labels = { ...(next.metadata.labels ?? {}), [legacyTokenLastUsedLabel]: today };
        return next;
      })
      .catch((e: unknown) => log.debug(`legacy token last-used label on ${key}: ${String(e)}`))
      .finally(() => this.labellingSecrets.delete(key));
  }

  addReadyCheck(name: string, check: ReadyCheck): void {
    this.readyChecks.set(name, check);
  }

  get url(): string {
    const addr = this.server?.address() as AddressInfo | undefined;
    return `https://${this.opts.host}:${addr?.port ?? this.opts.port}`;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | undefined)?.port ?? this.opts.port;
  }

  async start(): Promise<void> {
    await this.watchCache.start();
    const server = https.createServer({
      cert: this.opts.tls.cert,
      key: this.opts.tls.key,
      ca: this.opts.tls.ca,
      requestCert: true,
      rejectUnauthorized: false,
      // A socket that never completes its handshake holds TLS state; Node's default waits 120 s.
      handshakeTimeout: this.limits.tlsHandshakeTimeoutMs,
      // Node enforces the header timeout by sweeping connections at this interval (30 s by
      // default, which would let a silent client stay up to a minute): sweep often enough.
      connectionsCheckingInterval: headerSweepInterval(this.limits.readHeaderTimeoutMs),
    });
    this.graceful = new GracefulShutdown(server);
    applyTimeouts(server, this.limits);
    server.on('request', (req, res) => this.maxInFlight.handle(req, res, () => void this.serve(req, res)));
    // exec, port-forward and browsers' watches arrive as WebSocket upgrades.
    server.on('upgrade', upgradeHandler(this.registry, this.storage, this.handler, this.authentication, this.authorizer));
    server.on('connection', (s: import('node:net').Socket) => {
      if (!this.connections.admit(s)) return;
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    // A client that gives up or times out during the handshake is not the server's problem, but
    // its socket is: with a listener here Node leaves closing it to us (a handshake timeout would
    // otherwise leave the socket and its TLS state open for good).
    server.on('tlsClientError', (_err, sock) => sock.destroy());
    server.on('clientError', answerClientError);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    await bootstrapRBAC((g, r) => this.store(g, r));
    this.rbacBootstrapped = true;
    this.endpoints = new LeaseEndpointReconciler((g, r) => this.store(g, r), this.opts.advertiseAddress, this.port, {
      ...defaultEndpointReconciler,
      ...this.opts.endpointReconciler,
    });
    await bootstrap(this);
    // What storage says is allocated is checked against the Services before anything else is
    // served (upstream runs one repair pass before the server reports ready).
    const recorder = new EventRecorder(new LocalClient(this), 'ipallocator-repair-controller');
    this.repair = new AllocationRepair(
      this.allocations,
      {
        services: () => this.store('', 'services'),
        ipaddresses: () => this.store('networking.k8s.io', 'ipaddresses'),
        servicecidrs: () => this.store('networking.k8s.io', 'servicecidrs'),
      },
      recorder,
      { intervalMs: this.opts.allocationRepairIntervalMs ?? 3 * 60_000 },
    );
    await this.repair.runOnce();
    this.repair.start();
    this.endpoints.start();
    await bootstrapNamespacedRBAC((g, r) => this.store(g, r));
    this.bootstrapped = true;
    const contents = () => this.storage.stores().filter((s) => s.info.namespaced);
    this.cleanup = new NamespaceCleanup(this.store('', 'namespaces'), contents);
    this.cleanup.start();
    const crds = this.storage.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
    if (crds) {
      const storeOf = (group: string, resource: string) => this.storage.stores().find((s) => s.info.group === group && s.info.resource === resource);
      this.crds = new CRDController(crds.store, this.registry, storeOf);
      this.crds.start();
    }
  }

  /**
   * The HTTP side's graceful shutdown (GracefulShutdown): no new connections, requests in flight
   * finish, watches end cleanly, then every connection closes. The stores keep serving in-process
   * clients (controllers, node agent) until stop().
   */
  stopServing(): Promise<void> {
    this.stopping ??= (async () => {
      const server = this.server;
      if (!server) return;
      this.readyChecks.set('shutdown', () => false);
      const { closed } = this.graceful ? await this.graceful.shutdown() : { closed: new Promise<void>((r) => server.close(() => r())) };
      // What overran the bound (and handshakes that never finished) goes now.
      for (const s of this.sockets) s.destroy();
      server.closeAllConnections?.();
      await closed;
      this.server = undefined;
    })();
    return this.stopping;
  }

  async stop(): Promise<void> {
    await this.endpoints?.stop();
    await this.stopServing();
    this.kubelet.close();
    await this.repair?.stop();
    this.cleanup?.stop();
    this.crds?.stop();
    this.storage.stop();
    this.watchCache.stop();
  }

  ready(): { ok: boolean; lines: string[] } {
    const lines = ['[+]ping ok', '[+]log ok'];
    let ok = true;
    for (const [name, check] of this.readyChecks) {
      const pass = check();
      ok &&= pass;
      lines.push(pass ? `[+]${name} ok` : `[-]${name} failed: reason withheld`);
    }
    return { ok, lines };
  }

  /** Every request runs contained: whatever its handling throws ends that request only. */
  private serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return serveContained(req, res, (q, s) => this.serveRequest(q, s));
  }

  /** Throws for failures; serveContained turns them into this request's one answer. */
  private async serveRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubesvc');
    // Routed on the path as sent: URL's pathname has `..` already resolved (see requestPath).
    const path = requestPath(req.url ?? '/');
    // Bad credentials are 401 even for the health checks, as upstream's filters run before them;
    // the checks themselves are public (system:public-info-viewer), so they skip authorization.
    const user = this.authentication.authenticate(req);
    if (path === '/healthz' || path === '/livez' || path === '/readyz' || path.startsWith('/readyz/') || path.startsWith('/livez/') || path.startsWith('/healthz/')) {
      return this.health(res, path, url);
    }
    // The live view's page is public; the data it shows comes through the API under the user's token.
    if (isUIPath(path) && path !== trafficPath) return serveUI(req, res, path);
    const acting = authorize(req, user, this.authorizer);
    if (path === trafficPath) return await this.traffic.serve(req, res);
    const r = route(this.registry, path);
    switch (r.type) {
      case 'resource':
        return await this.handler.handle(req, res, r, url, acting);
      // /api and /apis answer aggregated discovery to clients that ask for it (discovery-root.ts).
      case 'apiVersions':
        return serveDiscoveryRoot(req, res, 'api', this.registry, () => apiVersions(`${this.opts.host}:${this.port}`));
      case 'apiGroupList':
        return serveDiscoveryRoot(req, res, 'apis', this.registry, () => apiGroupList(this.registry.infos()));
      case 'apiGroup':
        return sendJSON(res, 200, apiGroup(this.registry.infos(), r.group));
      case 'resourceList':
        return sendJSON(res, 200, apiResourceList(this.registry.infos(), r.group, r.version));
      case 'other':
        if (path === '/version' || path === '/version/') return sendJSON(res, 200, versionInfo());
        if (path.startsWith("/openapi/")) return await this.openapi.serve(req, res, url);
        if (path === openIDConfigurationPath || path === jwksPath) return serveOpenIDMetadata(res, path, this.serviceAccountTokens, `${this.opts.host}:${this.port}`);
        if (path === '/' ) return sendJSON(res, 200, { paths: ['/.well-known/openid-configuration', '/api', '/api/v1', '/apis', ...apiGroupPaths(this.registry), '/healthz', '/livez', '/openapi/v2', '/openapi/v3', '/openid/v1/jwks', '/readyz', '/version'] });
        throw pathNotFound(path);
      case 'notFound':
        throw pathNotFound(path);
    }
  }

  private health(res: ServerResponse, path: string, url: URL): void {
    const { ok, lines } = this.ready();
    const verbose = url.searchParams.has('verbose');
    if (path.startsWith('/livez') || path.startsWith('/healthz')) {
      sendRaw(res, 200, verbose ? `${lines.slice(0, 2).join('\n')}\nlivez check passed\n` : 'ok', 'text/plain; charset=utf-8');
      return;
    }
    if (verbose) {
      sendRaw(res, ok ? 200 : 500, `${lines.join('\n')}\n${ok ? 'readyz check passed' : 'readyz check failed'}\n`, 'text/plain; charset=utf-8');
      return;
    }
    sendRaw(res, ok ? 200 : 500, ok ? 'ok' : `${lines.filter((l) => l.startsWith('[-]')).join('\n')}\nreadyz check failed\n`, 'text/plain; charset=utf-8');
  }
}

function apiGroupPaths(registry: Registry): string[] {
  const out = new Set<string>();
  for (const r of registry.infos()) if (r.group) {
    out.add(`/apis/${r.group}`);
    out.add(`/apis/${r.group}/${r.version}`);
  }
  return [...out].sort();
}

function pathNotFound(path: string): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {
    causes: [{ reason: 'UnexpectedServerResponse', message: `404 page not found: ${path}` }],
  });
}
