#!/usr/bin/env node
// kubesvc.io/ingress: the built-in ingress controller, run as Kubernetes runs one — a pod in
// kube-system talking to the API server with its ServiceAccount token (in-cluster configuration:
// KUBERNETES_SERVICE_HOST/PORT and the mounted token and CA), serving HTTP on its pod address and
// /healthz for its probes. Flags as ingress-nginx's where it has one. With
// --gateway-controller-name it is also the Gateway API implementation for the GatewayClasses of
// that controller (as Traefik serves both): Gateway listeners on its HTTP and HTTPS ports are
// served by the same proxy, Gateway routes first, then Ingress rules.
import { createServer } from 'node:http';
import { createSecureContext } from 'node:tls';
import { selfSignedServingCertificate } from '../../../apiserver/pki.js';
import { readFileSync } from 'node:fs';
import { HttpClient } from '../../../client/http-client.js';
import { InformerFactoryImpl } from '../../../client/informer.js';
import { IngressController } from '../../../ingress/controller.js';
import { GatewayController } from '../../../gateway/controller.js';
import type { ProxyOptions, Router } from '../../../ingress/routing/proxy.js';
import { FrontEnd } from '../../../ingress/routing/front.js';
import { ServiceEndpoints } from '../../../ingress/routing/service-endpoints.js';
import { Counter, Histogram, Registry } from '../../../proxy/metrics/registry.js';
import { parseGoFlags } from '../lib/goflag.js';
import { bindAddress } from '../lib/env.js';

const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

const flags = parseGoFlags('/kubesvc-ingress', process.argv.slice(2), [
  { name: 'http-port', kind: 'int', default: 80, usage: 'Port to serve HTTP on.' },
  { name: 'https-port', kind: 'int', default: 443, usage: 'Port to serve HTTPS on.' },
  { name: 'healthz-port', kind: 'int', default: 10254, usage: 'Port of /healthz.' },
  { name: 'ingress-class', kind: 'string', default: 'kubesvc', usage: 'The IngressClass whose Ingresses to serve.' },
  { name: 'controller-class', kind: 'string', default: 'kubesvc.io/ingress', usage: "The IngressClass's spec.controller this controller answers to." },
  { name: 'publish-service', kind: 'string', default: '', usage: 'namespace/name of the Service whose LoadBalancer addresses go into Ingress status.' },
  { name: 'disable-access-log', kind: 'bool', default: false, usage: 'Write no access log (ingress-nginx: disable-access-log).' },
  { name: 'gateway-controller-name', kind: 'string', default: '', usage: 'Also serve the Gateway API for GatewayClasses of this controllerName (empty: Ingress only).' },
  { name: 'gateway-http-ports', kind: 'string', default: '80', usage: 'Comma-separated Gateway listener ports served as HTTP (besides --http-port).' },
  { name: 'gateway-https-ports', kind: 'string', default: '443', usage: 'Comma-separated Gateway listener ports served as HTTPS (besides --https-port).' },
]);

const host = process.env.KUBERNETES_SERVICE_HOST;
const port = process.env.KUBERNETES_SERVICE_PORT;
if (!host || !port) {
  process.stderr.write('kubesvc-ingress: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set: run it as a pod\n');
  process.exit(1);
}
const client = new HttpClient({
  server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
  ca: readFileSync(`${serviceAccountDir}/ca.crt`, 'utf8'),
  // The token is rotated by the node: read for each request.
  token: () => readFileSync(`${serviceAccountDir}/token`, 'utf8').trim(),
});
// ingress-nginx's metric names, so its dashboards and alerts apply (see docs/architecture.md).
const metrics = new Registry();
const requests = metrics.register(new Counter('nginx_ingress_controller_requests', 'The total number of client requests'));
const duration = metrics.register(
  new Histogram('nginx_ingress_controller_request_duration_seconds', 'The request processing time in seconds', [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
);
const publish = String(flags['publish-service']);
const [pubNs, pubName] = publish.includes('/') ? publish.split('/') : ['', ''];
const informers = new InformerFactoryImpl(client);
const publishService = pubNs && pubName ? { publishService: { namespace: pubNs, name: pubName } } : {};
let front!: FrontEnd;
const endpoints = new ServiceEndpoints(informers, (live) => front.forget(live));
const controller = new IngressController(client, informers, endpoints, {
  className: String(flags['ingress-class']),
  controllerName: String(flags['controller-class']),
  ...publishService,
});
const gatewayName = String(flags['gateway-controller-name']);
const portList = (v: unknown, own: number) => [...new Set([own, ...String(v).split(',').filter((x) => x.trim() !== '').map(Number)])];
const gateways = gatewayName
  ? new GatewayController(client, informers, endpoints, {
      controllerName: gatewayName,
      ports: { HTTP: portList(flags['gateway-http-ports'], Number(flags['http-port'])), HTTPS: portList(flags['gateway-https-ports'], Number(flags['https-port'])) },
      ...publishService,
    })
  : undefined;
const httpsPort = Number(flags['https-port']);
/** ssl-redirect for Ingress TLS hosts first, then Gateway listeners, then Ingress rules. */
const router: Router = (req, scheme) => {
  const to = scheme === 'http' ? controller.redirect(req, httpsPort) : undefined;
  if (to) return { kind: 'respond', status: 308, headers: { location: to, 'content-type': 'text/html' }, body: '<html><head><title>308 Permanent Redirect</title></head><body>308 Permanent Redirect</body></html>\n' };
  return gateways?.route(req, scheme) ?? controller.route(req);
};
// Each route's request counters by status and method, found without encoding five labels per
// request (a route's info object lives as long as its routing table).
type Series = ReturnType<typeof requests.series>;
const seriesOf = new WeakMap<object, Map<number, Map<string, Series>>>();
const noRoute = {};
function requestSeries(e: Parameters<NonNullable<ProxyOptions['onDone']>>[0]): Series {
  const byInfo = e.info ?? noRoute;
  let byStatus = seriesOf.get(byInfo);
  if (!byStatus) seriesOf.set(byInfo, (byStatus = new Map()));
  let byMethod = byStatus.get(e.status);
  if (!byMethod) byStatus.set(e.status, (byMethod = new Map()));
  const method = e.req.method ?? '';
  let s = byMethod.get(method);
  if (!s) {
    s = requests.series({ ingress: e.info?.name ?? '', namespace: e.info?.namespace ?? '', service: e.info?.service ?? '', status: String(e.status), method });
    byMethod.set(method, s);
  }
  return s;
}
front = new FrontEnd(router, {
  onDone: (e) => {
    requestSeries(e).inc();
    duration.observe(e.ms / 1000);
    accessLog(e);
  },
});
// The access log, in lines like ingress-nginx's. Written in batches (every 50 ms, or at 64 KiB):
// stdout is a pipe to the node agent, synchronous on Linux, and a write per request would cost a
// system call and an agent wake-up each.
let pending: string[] = [];
let pendingBytes = 0;
let flushTimer: NodeJS.Timeout | undefined;
function flushAccessLog(): void {
  flushTimer = undefined;
  if (!pending.length) return;
  const text = pending.join('');
  pending = [];
  pendingBytes = 0;
  process.stdout.write(text);
}
function accessLog(e: Parameters<NonNullable<ProxyOptions['onDone']>>[0]): void {
  if (flags['disable-access-log'] === true) return;
  const line = `${e.req.socket.remoteAddress ?? '-'} "${e.req.method} ${e.req.url} HTTP/${e.req.httpVersion}" ${e.status} ${e.info ? `[${e.info.namespace}-${e.info.service ?? e.info.name}]` : '[-]'} ${e.upstream ?? '-'} ${(e.ms / 1000).toFixed(3)}\n`;
  pending.push(line);
  pendingBytes += line.length;
  if (pendingBytes >= 65536) flushAccessLog();
  else flushTimer ??= setTimeout(flushAccessLog, 50);
}
informers.start();
let synced = false;
const failed = (e: unknown) => process.stderr.write(`kubesvc-ingress: ${e instanceof Error ? e.message : String(e)}\n`);
// Ready once Ingresses are served: the Gateway API's CRDs may come a moment later (or not at all),
// and its routes start being served when they do.
controller.synced().then(() => {
  synced = true;
}, failed);
gateways?.synced().catch(failed);

const addr = bindAddress();
const http = front.http();
http.listen(Number(flags['http-port']), addr, () => process.stdout.write(`serving HTTP on ${addr}:${flags['http-port']}\n`));
// Without an Ingress's certificate for the name asked for, ingress-nginx's default: a self-signed one.
const fallback = await selfSignedServingCertificate('CN=Kubernetes Ingress Controller Fake Certificate,O=Acme Co', ['ingress.local']);
const defaultContext = createSecureContext({ cert: fallback.certPem, key: fallback.keyPem });
const https = front.https({
  cert: fallback.certPem,
  key: fallback.keyPem,
  SNICallback: (servername, cb) => cb(null, gateways?.secureContext(servername) ?? controller.secureContext(servername) ?? defaultContext),
});
https.listen(httpsPort, addr, () => process.stdout.write(`serving HTTPS on ${addr}:${httpsPort}\n`));
const health = createServer((req, res) => {
  if (req.url === '/metrics') {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metrics.expose());
    return;
  }
  const ok = synced && (req.url === '/healthz' || req.url === '/readyz');
  res.writeHead(ok ? 200 : 500, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'not synced');
});
health.listen(Number(flags['healthz-port']), addr);

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  process.once(sig, () => {
    informers.stop();
    client.close();
    flushAccessLog();
    front.close();
    health.close();
    // Requests in flight finish; new ones have already been routed elsewhere once this pod left its Service.
    https.close();
    http.close(() => process.exit(0));
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
