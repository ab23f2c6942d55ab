import { createServer as createHTTPServer } from 'node:http';
import { createServer as createTCPServer } from 'node:net';
import { createSocket } from 'node:dgram';
import type { Subcommand } from '../lib/command.js';
import { bindAddress, joinHostPort, podHostname } from '../lib/env.js';
import { fatalf, logf } from '../lib/golog.js';
import { goWrite } from './netexec/gohttp.js';
import { closeAndExit, goSignalName, onSignals, type Closable } from '../lib/lifecycle.js';
import { listenError } from '../lib/neterr.js';

// agnhost serve-hostname: answers the hostname over HTTP (default), raw TCP or UDP on one port.
export const serveHostname: Subcommand = {
  use: 'serve-hostname',
  short: 'Serves the hostname',
  long: 'Serves the hostname through HTTP / TCP / UDP on the given port.',
  flags: [
    { name: 'tcp', kind: 'bool', default: false, usage: 'Serve raw over TCP.' },
    { name: 'udp', kind: 'bool', default: false, usage: 'Serve raw over UDP.' },
    { name: 'http', kind: 'bool', default: true, usage: 'Serve HTTP.' },
    { name: 'close', kind: 'bool', default: false, usage: 'Close connection per each HTTP request.' },
    { name: 'port', kind: 'int', default: 9376, usage: 'Port number.' },
  ],
  run(flags) {
    const doTCP = flags.tcp === true;
    const doUDP = flags.udp === true;
    const doHTTP = flags.http === true;
    const doClose = flags.close === true;
    const port = flags.port as number;
    if (doHTTP && (doTCP || doUDP)) fatalf("Can't serve TCP/UDP mode and HTTP mode at the same time");
    startHostnameServers({ doTCP, doUDP, doHTTP, doClose, port }, 'Serving on port');
  },
};

export interface HostnameServerOptions {
  doTCP: boolean;
  doUDP: boolean;
  doHTTP: boolean;
  doClose: boolean;
  port: number;
}

/** Shared with the legacy serve_hostname image, which differs only in flags and exit behaviour. */
export function startHostnameServers(o: HostnameServerOptions, startLine: string | undefined): Closable[] {
  const hostname = podHostname();
  const host = bindAddress();
  const closables: Closable[] = [];
  // Installed before anything is printed: whoever waits for the start-up line may signal at once.
  onSignals(['SIGTERM', 'SIGINT'], (sig) => {
    // Upstream keeps serving for 60 s after SIGTERM ("Awaiting pod deletion."); here the pod's
    // process is the only thing holding the pod, so we exit at once and deletion is prompt.
    logf(`Shutting down after receiving signal: ${goSignalName(sig)}.`);
    closeAndExit(closables, 0);
  });

  if (o.doTCP) {
    const tcp = createTCPServer((conn) => {
      logf(`TCP request from ${joinHostPort(conn.remoteAddress ?? '', conn.remotePort ?? 0)}`);
      conn.on('error', () => undefined);
      conn.end(hostname);
    });
    tcp.on('error', (err) => fatalf(`Error from net.Listen(): ${listenError('tcp', joinHostPort(host, o.port), err)}`));
    tcp.listen(o.port, host);
    closables.push(tcp);
  }
  if (o.doUDP) {
    const udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    udp.on('message', (_msg, rinfo) => {
      logf(`UDP request from ${joinHostPort(rinfo.address, rinfo.port)}`);
      udp.send(hostname, rinfo.port, rinfo.address);
    });
    udp.on('error', (err) => fatalf(`Error from ListenUDP(): ${listenError('udp', joinHostPort(host, o.port), err)}`));
    udp.bind(o.port, host);
    closables.push(udp);
  }
  if (o.doHTTP) {
    const http = createHTTPServer((req, res) => {
      logf(`HTTP request from ${joinHostPort(req.socket.remoteAddress ?? '', req.socket.remotePort ?? 0)}`);
      // Go's server closes the connection after the response when this header is set; tests use
      // it to get a new connection, hence a possibly different backend, per request.
      if (o.doClose) res.setHeader('Connection', 'close');
      goWrite(res, hostname);
    });
    http.on('error', (err) => fatalf(listenError('tcp', joinHostPort(host, o.port), err)));
    http.listen(o.port, host);
    closables.push(http);
  }
  if (startLine) logf(`${startLine} ${o.port}.`);
  return closables;
}
