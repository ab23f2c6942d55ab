// Pod stand-ins for bench/proxy-userspace.ts, in their own process so they do not share an
// event loop with the proxy being measured: a minimal HTTP/1.1 responder (fixed 200 answer,
// keep-alive unless the client asks to close) and a UDP echo, on each given IP at one port.
// Usage: node dist/bench/proxy-backends.js <port> <ip>... ; prints "ready" and exits when stdin (a pipe) closes.
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { exitWithParent } from './exit-with-parent.js';

const [portText, ...ips] = process.argv.slice(2);
const port = Number(portText);
const body = 'ok\n';
const keepAlive = `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
const closing = `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`;

async function main(): Promise<void> {
  for (const ip of ips) {
    const server = createServer((s) => {
      s.setNoDelay(true);
      s.on('error', () => undefined);
      let buf = '';
      s.on('data', (d) => {
        buf += d.toString('latin1');
        let end;
        while ((end = buf.indexOf('\r\n\r\n')) >= 0) {
          const head = buf.slice(0, end);
          buf = buf.slice(end + 4);
          if (/\r\nconnection:\s*close/i.test(head)) {
            s.end(closing);
            return;
          }
          s.write(keepAlive);
        }
      });
    });
    await new Promise<void>((r) => server.listen({ host: ip, port, backlog: 4096 }, () => r()));
    const udp = createSocket('udp4');
    udp.on('message', (m, r) => udp.send(m, r.port, r.address));
    await new Promise<void>((r) => udp.bind(port, ip, () => r()));
  }
  process.stdout.write('ready\n');
  // Started by a bench: gone with it. As a pod (stdin /dev/null): until SIGTERM.
  exitWithParent();
}

void main();
