// A throwaway API server that only pretends: enough /version and discovery for kubectl 1.32 to
// run typed create commands against it, and a recorder of every request body it is sent.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeK8sProtobuf, encodeK8sProtobuf, PROTOBUF_MEDIA_TYPE } from '../../../src/apiserver/protobuf/index.js';

export const kubectlBin = process.env.KUBECTL ?? '/usr/bin/kubectl';

export interface Captured {
  method: string;
  accept: string;
  url: string;
  contentType: string;
  body: Buffer;
}

export interface CaptureServer {
  url: string;
  requests: Captured[];
  /** When set, POSTs are answered with this object instead of an echo of what was sent. */
  reply?: Record<string, unknown> | undefined;
  close(): Promise<void>;
}

const coreResources = [
  { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', shortNames: ['ns'] },
  { name: 'services', singularName: 'service', namespaced: true, kind: 'Service', shortNames: ['svc'] },
  { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', shortNames: ['po'] },
];
const appsResources = [
  { name: 'deployments', singularName: 'deployment', namespaced: true, kind: 'Deployment', shortNames: ['deploy'] },
];
const verbs = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

const DISCOVERY: Record<string, unknown> = {
  '/version': { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' },
  '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] },
  '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: coreResources.map((r) => ({ ...r, verbs })) },
  '/apis': {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [
      { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }], preferredVersion: { groupVersion: 'apps/v1', version: 'v1' } },
    ],
  },
  '/apis/apps/v1': { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: 'apps/v1', resources: appsResources.map((r) => ({ ...r, verbs })) },
};

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startCaptureServer(): Promise<CaptureServer> {
  const requests: Captured[] = [];
  const self: CaptureServer = { url: '', requests, close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const path = (req.url ?? '/').split('?')[0]!;
      const contentType = req.headers['content-type'] ?? '';
      const send = (code: number, obj: unknown) => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(obj));
      };
      if (req.method === 'GET' && path in DISCOVERY) return send(200, DISCOVERY[path]);
      if (req.method === 'POST') {
        requests.push({ method: req.method, url: req.url ?? '', accept: req.headers.accept ?? '', contentType, body });
        // Answer with what was sent, so kubectl prints "<kind>/<name> created".
        const obj =
          self.reply ??
          (contentType.startsWith('application/vnd.kubernetes.protobuf')
            ? decodeK8sProtobuf(body).object
            : (JSON.parse(body.toString('utf8')) as Record<string, unknown>));
        // Typed clients ask for protobuf first: answer in it, so kubectl's Go decodes our encoding.
        if ((req.headers.accept ?? '').startsWith(PROTOBUF_MEDIA_TYPE)) {
          res.writeHead(201, { 'Content-Type': PROTOBUF_MEDIA_TYPE });
          res.end(encodeK8sProtobuf(obj));
          return;
        }
        return send(201, obj);
      }
      send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
    })().catch((e: unknown) => {
      res.writeHead(500);
      res.end(String(e));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  self.url = `http://127.0.0.1:${port}`;
  self.close = () => new Promise<void>((r) => server.close(() => r()));
  return self;
}

// kubectl caches discovery per server address; keep that out of the user's ~/.kube.
const cacheDir = mkdtempSync(join(tmpdir(), 'kubesvc-kubectl-cache-'));
process.on('exit', () => rmSync(cacheDir, { recursive: true, force: true }));

/** Runs kubectl with no kubeconfig but --server; resolves with its exit code and output. */
export function kubectl(server: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(kubectlBin, ['--server', server, '--cache-dir', cacheDir, ...args], {
      env: { ...process.env, KUBECONFIG: '/dev/null' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Deep copy with object keys sorted, so two JSON values compare regardless of key order. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}
