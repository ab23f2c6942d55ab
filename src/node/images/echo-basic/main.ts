#!/usr/bin/env node
// gcr.io/k8s-staging-gateway-api/echo-basic: the echo server the Gateway API conformance suite
// sends its requests to. It answers every request with JSON describing what it received — path
// (with the query), host, method, protocol, headers (names in Go's canonical form, each with its
// values) — and who answered (POD_NAME, NAMESPACE), so a test can check routing, rewrites and
// header changes from the answer alone. HTTP_PORT (default 3000) is where it listens.
import { createServer } from 'node:http';
import { bindAddress, podHostname } from '../lib/env.js';

/** Go's textproto.CanonicalMIMEHeaderKey: `x-header-set` → `X-Header-Set`. */
function canonical(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

const port = Number(process.env.HTTP_PORT ?? 3000);
const server = createServer((req, res) => {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = canonical(req.rawHeaders[i]!.toLowerCase());
    if (name === 'Host') continue;
    (headers[name] ??= []).push(req.rawHeaders[i + 1]!);
  }
  const body = JSON.stringify({
    path: req.url ?? '/',
    host: req.headers.host ?? '',
    method: req.method ?? '',
    proto: `HTTP/${req.httpVersion}`,
    headers,
    namespace: process.env.NAMESPACE ?? '',
    ingress: process.env.INGRESS_NAME ?? '',
    service: process.env.SERVICE_NAME ?? '',
    pod: process.env.POD_NAME ?? podHostname(),
  });
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' }).end(body));
});
server.keepAliveTimeout = 75_000;
server.listen(port, bindAddress(), () => process.stdout.write(`Starting server, listening on port ${port} (http)\n`));
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => server.close(() => process.exit(0)));
