// A throwaway API server that answers only what `kubectl get` needs: /version, discovery for core/v1, and
// lists and watches of a fixed set of objects as Tables made by toTable. It lets the tests run the real
// kubectl 1.32 against our tables without the rest of kubesvc.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../../src/api/meta.js';
import { toTable } from '../../../src/apiserver/tables/index.js';
import { printerFor } from './printers.js';
import { includeObjectParam, tableVersionFromAccept } from '../../../src/apiserver/tables/negotiate.js';
import { NOW } from './helpers.js';

export interface FakeResource {
  kind: string;
  shortNames?: string[];
  objects: KubeObject[];
  /** Objects sent as watch events after the list, in order; the stream then ends. */
  watch?: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject }[];
}

export interface FakeServer {
  url: string;
  requests: { path: string; accept: string }[];
  close(): Promise<void>;
}

function send(res: http.ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts the server on 127.0.0.1 with the given core/v1 resources (plural name → objects). */
export async function startFakeApiserver(resources: Record<string, FakeResource>): Promise<FakeServer> {
  const requests: FakeServer['requests'] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    requests.push({ path: url.pathname + url.search, accept: req.headers.accept ?? '' });
    if (url.pathname === '/version') return send(res, 200, { major: '1', minor: '32', gitVersion: 'v1.32.0' });
    if (url.pathname === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (url.pathname === '/apis') return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
    if (url.pathname === '/api/v1') {
      return send(res, 200, {
        kind: 'APIResourceList',
        groupVersion: 'v1',
        resources: Object.entries(resources).map(([name, r]) => ({
          name,
          singularName: r.kind.toLowerCase(),
          namespaced: true,
          kind: r.kind,
          verbs: ['get', 'list', 'watch'],
          ...(r.shortNames ? { shortNames: r.shortNames } : {}),
        })),
      });
    }
    // /api/v1/<resource> or /api/v1/namespaces/<ns>/<resource>[/<name>]
    const m = /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    const r = m ? resources[m[2] as string] : undefined;
    if (!m || !r) {
      return send(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' });
    }
    if (!tableVersionFromAccept(req.headers.accept)) return send(res, 406, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 406 });
    const ns = m[1];
    const objs = r.objects.filter((o) => !ns || o.metadata.namespace === ns);
    const includeObject = includeObjectParam(url.searchParams.get('includeObject'));
    const name = m[3];
    if (name) {
      const obj = objs.find((o) => o.metadata.name === name);
      if (!obj) return send(res, 404, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: `${m[2]} "${name}" not found` });
      // A single object's table takes the object's resourceVersion.
      return send(res, 200, toTable(printerFor(m[2] as string, ''), [obj], { now: NOW, includeObject }));
    }
    if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
      let first = true;
      for (const ev of r.watch ?? []) {
        // Column definitions ride on the first event only, as kube-apiserver does.
        const table = toTable(printerFor(m[2] as string, ''), [ev.object], { now: NOW, includeObject, noHeaders: !first });
        first = false;
        res.write(JSON.stringify({ type: ev.type, object: table }) + '\n');
      }
      res.end();
      return;
    }
    return send(res, 200, toTable(printerFor(m[2] as string, ''), objs, { now: NOW, includeObject, listMeta: { resourceVersion: '100' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
