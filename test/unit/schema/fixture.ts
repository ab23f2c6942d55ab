// A resource table like the one kubesvc serves, and a minimal HTTP server that answers what
// kubectl needs before it reads OpenAPI: /version, legacy discovery, then /openapi/v3.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  openapiV2Built, openapiV3DocBuilt, openapiV3RootBuilt, type ServedResource,
} from '../../../src/apiserver/openapi/index.js';

const all = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const r = (group: string, resource: string, kind: string, namespaced: boolean, subresources: string[] = []): ServedResource => ({
  group, version: 'v1', resource, kind, namespaced, subresources, verbs: all,
});

export const served: ServedResource[] = [
  r('', 'namespaces', 'Namespace', false, ['status']),
  r('', 'services', 'Service', true, ['status']),
  r('', 'endpoints', 'Endpoints', true),
  r('', 'pods', 'Pod', true, ['status', 'log', 'exec', 'portforward']),
  r('', 'nodes', 'Node', false, ['status']),
  r('', 'events', 'Event', true),
  r('apps', 'deployments', 'Deployment', true, ['status', 'scale']),
  r('apps', 'replicasets', 'ReplicaSet', true, ['status', 'scale']),
  r('discovery.k8s.io', 'endpointslices', 'EndpointSlice', true),
  r('coordination.k8s.io', 'leases', 'Lease', true),
];

function resourceList(gv: string, rs: ServedResource[]): object {
  const resources: object[] = [];
  for (const x of rs) {
    resources.push({ name: x.resource, singularName: x.kind.toLowerCase(), namespaced: x.namespaced, kind: x.kind, verbs: x.verbs });
    for (const s of x.subresources) {
      resources.push({ name: `${x.resource}/${s}`, singularName: '', namespaced: x.namespaced, kind: s === 'scale' ? 'Scale' : x.kind, verbs: ['get', 'patch', 'update'] });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources };
}

export interface Seen { method: string; path: string; accept: string; contentType: string; body: string }
export interface FakeServer { url: string; server: Server; requests: Seen[]; close(): Promise<void> }
/** Answers object requests the test cares about; undefined falls through to the built-in routes. */
export type Handler = (req: Seen) => { code: number; body: object } | undefined;

export async function startFakeServer(resources: ServedResource[] = served, handler?: Handler): Promise<FakeServer> {
  const requests: Seen[] = [];
  const groups = [...new Set(resources.filter((x) => x.group !== '').map((x) => x.group))];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => route(req.method ?? 'GET', req.url ?? '/', String(req.headers.accept ?? ''), String(req.headers['content-type'] ?? ''), body, res));
  });
  const route = (method: string, rawUrl: string, accept: string, contentType: string, body: string, res: import('node:http').ServerResponse): void => {
    const url = new URL(rawUrl, 'http://x');
    const seen: Seen = { method, path: rawUrl, accept, contentType, body };
    requests.push(seen);
    const send = (code: number, body: string | object, type = 'application/json'): void => {
      res.writeHead(code, { 'Content-Type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const p = url.pathname.replace(/\/+$/, '');
    const custom = handler?.(seen);
    if (custom) return send(custom.code, custom.body);
    if (p === '/version') return send(200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
    if (p === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (p === '/apis') {
      return send(200, {
        kind: 'APIGroupList', apiVersion: 'v1',
        groups: groups.map((g) => ({ name: g, versions: [{ groupVersion: `${g}/v1`, version: 'v1' }], preferredVersion: { groupVersion: `${g}/v1`, version: 'v1' } })),
      });
    }
    if (p === '/api/v1') return send(200, resourceList('v1', resources.filter((x) => x.group === '')));
    for (const g of groups) {
      if (p === `/apis/${g}/v1`) return send(200, resourceList(`${g}/v1`, resources.filter((x) => x.group === g)));
    }
    if (p === '/openapi/v3') return send(200, openapiV3RootBuilt(resources).json);
    if (p.startsWith('/openapi/v3/')) {
      const b = openapiV3DocBuilt(p.slice('/openapi/v3/'.length), resources);
      return b ? send(200, b.json) : send(404, { kind: 'Status', status: 'Failure', code: 404, reason: 'NotFound' });
    }
    if (p === '/openapi/v2') return send(200, openapiV2Built(resources).json);
    send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' });
  };
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`, server, requests,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
