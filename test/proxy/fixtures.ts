// Hand-built Services and EndpointSlices, maps built through the real change trackers, and
// real TCP/UDP echo servers on 127.x addresses for the userspace proxy tests. Every socket
// helper is bounded in time and closes what it opens.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import type { Service, ServiceSpec } from '../../src/api/core.js';
import type { Endpoint, EndpointSlice, EndpointSlicePort } from '../../src/api/discovery.js';
import { proxyMapsFor } from '../../src/proxy/maps-from-objects.js';
import type { EndpointsMap, ServicePortMap } from '../../src/proxy/types.js';

export function svc(namespace: string, name: string, spec: Partial<ServiceSpec>, status?: Service['status']): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace, name },
    spec: { type: 'ClusterIP', sessionAffinity: 'None', ...spec },
    ...(status ? { status } : {}),
  };
}

export function slice(
  namespace: string,
  service: string,
  name: string,
  endpoints: Endpoint[],
  ports: EndpointSlicePort[],
  annotations?: Record<string, string>,
): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace, name, labels: { 'kubernetes.io/service-name': service }, ...(annotations ? { annotations } : {}) },
    addressType: 'IPv4',
    endpoints,
    ports,
  };
}

export function ep(ip: string, extra: Partial<Endpoint> = {}): Endpoint {
  return { addresses: [ip], conditions: { ready: true, serving: true, terminating: false }, ...extra };
}

/** The maps a sync would see after these objects were added (through the real trackers). */
export function buildMaps(nodeName: string, services: Service[], slices: EndpointSlice[]): { sm: ServicePortMap; em: EndpointsMap } {
  const { serviceMap, endpointsMap } = proxyMapsFor(services, slices, nodeName);
  return { sm: serviceMap, em: endpointsMap };
}

let nextOctet = Math.floor(Math.random() * 200) + 20;
/** A fresh 127.a.b.c address per call, so parallel test files never share an address. */
export function freshIP(prefix = 127): string {
  nextOctet = (nextOctet + 1) % 250;
  const r = () => Math.floor(Math.random() * 250) + 2;
  return `${prefix}.${r()}.${nextOctet + 2}.${r()}`;
}

export interface EchoServer {
  name: string;
  ip: string;
  port: number;
  /** Connections (TCP) or datagrams (UDP) received. */
  hits: number;
  close(): Promise<void>;
}

/** TCP server answering each line "x" with "<name>:x"; it counts connections. */
export async function tcpEcho(name: string, ip: string, port = 0): Promise<EchoServer & { server: Server }> {
  const socks = new Set<Socket>();
  const server = createServer((s) => {
    socks.add(s);
    s.on('close', () => socks.delete(s));
    s.on('error', () => undefined);
    res.hits++;
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        s.write(`${name}:${buf.slice(0, i)}\n`);
        buf = buf.slice(i + 1);
      }
    });
  });
  await new Promise<void>((r, j) => server.once('error', j).listen(port, ip, () => r()));
  const res = {
    name,
    ip,
    port: (server.address() as { port: number }).port,
    hits: 0,
    server,
    close: () =>
      new Promise<void>((r) => {
        for (const s of socks) s.destroy();
        server.close(() => r());
      }),
  };
  return res;
}

/** UDP server answering each datagram "x" with "<name>:x". */
export async function udpEcho(name: string, ip: string, port = 0): Promise<EchoServer> {
  const sock: UdpSocket = createSocket('udp4');
  let closed = false;
  const res: EchoServer = {
    name,
    ip,
    port: 0,
    hits: 0,
    close: () => new Promise<void>((r) => (closed ? r() : ((closed = true), sock.close(() => r())))),
  };
  sock.on('message', (m, rinfo) => {
    res.hits++;
    sock.send(`${name}:${m.toString()}`, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(port, ip, () => r()));
  res.port = sock.address().port;
  return res;
}

/** One request over a new TCP connection: resolves with the answer line, or rejects (refused, reset, timeout). */
export function tcpRequest(ip: string, port: number, msg = 'ping', opts: { localAddress?: string; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: ip, port, ...(opts.localAddress ? { localAddress: opts.localAddress } : {}) });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`timeout talking to ${ip}:${port}`));
    }, opts.timeoutMs ?? 3000);
    let buf = '';
    s.on('connect', () => s.write(`${msg}\n`));
    s.on('data', (d) => {
      buf += d.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) {
        clearTimeout(timer);
        s.destroy();
        resolve(buf.slice(0, i));
      }
    });
    s.on('error', (e) => {
      clearTimeout(timer);
      s.destroy();
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      reject(new Error('closed without an answer'));
    });
  });
}

/** A persistent TCP connection for several request/answer rounds. */
export async function tcpConnection(ip: string, port: number): Promise<{ ask(msg: string): Promise<string>; socket: Socket; close(): void }> {
  const s = connect({ host: ip, port });
  await new Promise<void>((r, j) => {
    s.once('connect', () => r());
    s.once('error', j);
  });
  s.on('error', () => undefined);
  let buf = '';
  const waiting: ((line: string) => void)[] = [];
  s.on('data', (d) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      waiting.shift()?.(line);
    }
  });
  return {
    socket: s,
    ask: (msg) =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('no answer in 2 s')), 2000);
        waiting.push((l) => {
          clearTimeout(t);
          resolve(l);
        });
        s.write(`${msg}\n`);
      }),
    close: () => s.destroy(),
  };
}

/** One UDP round trip: resolves with the answer or rejects after timeoutMs (or on ICMP unreachable). */
export function udpRequest(ip: string, port: number, msg = 'ping', timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const done = (f: () => void) => {
      clearTimeout(timer);
      try {
        s.close();
      } catch {
        /* closed */
      }
      f();
    };
    const timer = setTimeout(() => done(() => reject(new Error('udp timeout'))), timeoutMs);
    s.on('message', (m) => done(() => resolve(m.toString())));
    s.on('error', (e) => done(() => reject(e)));
    s.connect(port, ip, () => s.send(msg));
  });
}

/** A port free on 127.0.0.1 right now (for NodePorts, which always listen there too). */
export async function freePort(ip = '127.0.0.1'): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, ip, () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
