// How the API server reaches a node's kubelet API (pods/log, exec, attach, portforward and
// nodes/proxy), as kube-apiserver does: HTTPS to the address and port the Node reports, with the
// server's own kubelet-client certificate (kube-apiserver-kubelet-client), verifying the kubelet's
// serving certificate against the cluster CA. Streams are passed through untouched: the kubelet
// speaks the same protocols the client does.
import https from 'node:https';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Node } from '../api/core.js';
import { StatusError, type Status } from '../machinery/status.js';
import { joinConnections } from '../util/relay.js';

export interface KubeletClientConfig {
  /** The CA the kubelets' serving certificates chain to. */
  ca: string;
  /** The server's client certificate for kubelets; without one every kubelet answers 401. */
  cert?: string;
  key?: string;
}

/** Upstream's --kubelet-preferred-address-types as kubeadm sets it. */
const preferredAddressTypes = ['InternalIP', 'ExternalIP', 'Hostname'];
const defaultKubeletPort = 10250;
/** How long dialing a kubelet may take (upstream's kubelet client dial timeout is 30 s; ours are near). */
const DIAL_TIMEOUT_MS = 10_000;

export interface KubeletLocation {
  host: string;
  port: number;
}

/** Where the Node's kubelet listens, or a 500 as upstream's NodeConnectionInfo fails. */
export function kubeletLocation(node: Node): KubeletLocation {
  const addresses = node.status?.addresses ?? [];
  let host: string | undefined;
  for (const t of preferredAddressTypes) {
    host = addresses.find((a) => a.type === t && a.address)?.address;
    if (host) break;
  }
  if (!host) throw new StatusError(500, 'InternalError', `no preferred addresses found; known addresses: [${addresses.map((a) => `{${a.type} ${a.address}}`).join(' ')}]`);
  const port = Number((node.status?.daemonEndpoints as { kubeletEndpoint?: { Port?: number } } | undefined)?.kubeletEndpoint?.Port ?? 0) || defaultKubeletPort;
  return { host, port };
}

export class KubeletClient {
  private readonly agent: https.Agent;

  constructor(cfg: KubeletClientConfig) {
    this.agent = new https.Agent({ ca: cfg.ca, ...(cfg.cert && cfg.key ? { cert: cfg.cert, key: cfg.key } : {}), keepAlive: true, maxFreeSockets: 4 });
  }

  private options(node: Node, method: string, path: string, headers: OutgoingHttpHeaders): https.RequestOptions {
    const { host, port } = kubeletLocation(node);
    // The certificate names the node by IP and name: verify against the address we dial.
    return { host, port, method, path, headers, agent: this.agent, servername: isIP(host) ? undefined : host, timeout: DIAL_TIMEOUT_MS };
  }

  /**
   * A plain request to the kubelet (containerLogs, nodes/proxy); resolves with its response,
   * whatever the status. Dial failures are upstream's `error dialing backend` 500s.
   */
  request(node: Node, method: string, path: string, headers: OutgoingHttpHeaders = {}, body?: NodeJS.ReadableStream): Promise<IncomingMessage> {
    const o = this.options(node, method, path, headers);
    return new Promise((resolve, reject) => {
      const req = https.request(o, (res) => {
        req.setTimeout(0);
        resolve(res);
      });
      req.once('timeout', () => req.destroy(new Error(`dial tcp ${o.host}:${o.port}: i/o timeout`)));
      req.once('error', (e) => reject(dialError(o, e)));
      if (body) body.pipe(req);
      else req.end();
    });
  }

  /** A response that is not 2xx as the StatusError the client gets (the kubelet's Status when it sent one). */
  static async failure(res: IncomingMessage): Promise<StatusError> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of res as AsyncIterable<Buffer>) {
      if ((size += c.length) > 64 << 10) break;
      chunks.push(c);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    const code = res.statusCode ?? 500;
    try {
      const s = JSON.parse(text) as Status;
      if (s.kind === 'Status' && typeof s.message === 'string') return StatusError.fromStatus({ ...s, code: s.code ?? code });
    } catch {
      // plain text, as the kubelet writes some errors
    }
    return new StatusError(code, code === 401 ? 'Unauthorized' : code === 403 ? 'Forbidden' : code === 404 ? 'NotFound' : code >= 500 ? 'InternalError' : 'BadRequest', text.trim());
  }

  /**
   * Passes an upgrade request (exec, attach, portforward) through to the kubelet and, once it
   * switches protocols, joins the two connections byte for byte, as upstream's
   * UpgradeAwareHandler does. A refusal becomes the Status the caller sends in plain HTTP.
   */
  upgrade(node: Node, path: string, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const headers: OutgoingHttpHeaders = {};
    for (const h of ['connection', 'upgrade', 'sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol', 'sec-websocket-extensions', 'x-stream-protocol-version']) {
      const v = req.headers[h];
      if (v !== undefined) headers[h] = v;
    }
    const o = this.options(node, 'GET', path, headers);
    return new Promise((resolve, reject) => {
      const up = https.request(o);
      // A client that leaves before the kubelet answers takes the pending upgrade with it.
      const abandon = () => up.destroy();
      socket.once('close', abandon);
      up.once('timeout', () => up.destroy(new Error(`dial tcp ${o.host}:${o.port}: i/o timeout`)));
      up.once('error', (e) => reject(dialError(o, e)));
      up.once('response', (res) => {
        void KubeletClient.failure(res).then(reject, reject);
      });
      up.once('upgrade', (res, kubelet, kubeletHead) => {
        socket.off('close', abandon);
        if (socket.destroyed) {
          kubelet.destroy();
          return resolve();
        }
        up.setTimeout(0);
        kubelet.setTimeout(0);
        const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage ?? 'Switching Protocols'}`];
        for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
        socket.write(lines.join('\r\n') + '\r\n\r\n');
        if (kubeletHead.length) socket.write(kubeletHead);
        if (head.length) kubelet.write(head);
        joinConnections(socket, kubelet);
        resolve();
      });
      up.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function isIP(h: string): boolean {
  return /^[\d.]+$/.test(h) || h.includes(':');
}

function dialError(o: https.RequestOptions, e: NodeJS.ErrnoException): StatusError {
  const why = e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.message;
  return new StatusError(500, 'InternalError', `error dialing backend: dial tcp ${o.host}:${o.port}: ${why}`);
}
