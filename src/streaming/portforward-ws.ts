// pods/portforward over a plain WebSocket (`v4.channel.k8s.io` / `v4.base64.channel.k8s.io`), the
// kubelet's cri/streaming/portforward/websocket.go protocol that non-kubectl clients use (e.g.
// @kubernetes/client-node): the `ports` query lists the ports; port i gets data channel 2i and
// error channel 2i+1; each channel first carries the port as 2 little-endian bytes. One connection
// per port for the life of the WebSocket, which closes once every forward has ended.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { errors } from '../machinery/status.js';
import type { PortForwardTarget } from './portforward.js';
import { toBuffer } from './ws-server.js';

export const PORT_FORWARD_WS_PROTOCOLS = ['v4.channel.k8s.io', 'v4.base64.channel.k8s.io'];

/** The `ports` query as the kubelet parses its `port` parameter (NewV4Options). */
export function parsePorts(q: URLSearchParams): number[] {
  const values = q.getAll('ports');
  if (values.length === 0) throw errors.badRequest('query parameter "port" is required');
  const ports: number[] = [];
  for (const v of values) {
    if (v === '') throw errors.badRequest('query parameter "port" cannot be empty');
    for (const p of v.split(',')) {
      const n = /^\d+$/.test(p) ? Number(p) : NaN;
      if (!Number.isInteger(n) || n > 65535) {
        throw errors.badRequest(`unable to parse ${JSON.stringify(v)} as a port: strconv.ParseUint: parsing ${JSON.stringify(p)}: invalid syntax`);
      }
      if (n < 1) throw errors.badRequest(`port ${JSON.stringify(v)} must be > 0`);
      ports.push(n);
    }
  }
  return ports;
}

export function servePortForwardChannels(ws: WebSocket, protocol: string, target: PortForwardTarget, ports: number[]): void {
  const base64 = protocol.includes('base64');
  const send = (ch: number, data: Buffer) => {
    if (ws.readyState !== ws.OPEN) return;
    if (base64) ws.send(String.fromCharCode(48 + ch) + data.toString('base64'));
    else ws.send(Buffer.concat([Buffer.from([ch]), data]), { binary: true });
  };
  const socks: (Duplex | undefined)[] = [];
  const early: Buffer[][] = ports.map(() => []);
  let open = ports.length;
  const done = () => {
    if (--open === 0 && ws.readyState === ws.OPEN) ws.close(1000);
  };

  ws.on('message', (d, isBinary) => {
    let b = toBuffer(d);
    if (base64 && !isBinary) b = Buffer.concat([Buffer.from([b[0]! - 48]), Buffer.from(b.subarray(1).toString(), 'base64')]);
    if (b.length < 1) return;
    const ch = b[0]!;
    const i = ch >> 1;
    if (ch % 2 !== 0 || i >= ports.length) return;
    const payload = b.subarray(1);
    const s = socks[i];
    if (s) s.write(payload);
    else early[i]!.push(payload);
  });
  ws.on('close', () => {
    for (const s of socks) s?.destroy();
  });

  ports.forEach((port, i) => {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(port);
    send(2 * i, portBytes);
    send(2 * i + 1, portBytes);
    target.runtime.portForward(target.namespace, target.name, port).then(
      (s) => {
        if (ws.readyState !== ws.OPEN) return void s.destroy();
        socks[i] = s;
        for (const b of early[i]!.splice(0)) s.write(b);
        s.on('data', (b: Buffer) => send(2 * i, b));
        s.on('error', (e) => send(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${target.name}_${target.namespace}, uid ${target.uid}: ${e.message}`)));
        s.on('close', done);
      },
      (e: unknown) => {
        const why = e instanceof Error ? e.message : String(e);
        send(2 * i + 1, Buffer.from(`error forwarding port ${port} to pod ${target.name}_${target.namespace}, uid ${target.uid}: ${why}`));
        done();
      },
    );
  });
}
