import { createServer as createHTTPServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { createServer as createHTTPSServer } from 'node:https';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { Socket } from 'node:dgram';
import type { Subcommand } from '../../lib/command.js';
import { bindAddress, joinHostPort, podHostname } from '../../lib/env.js';
import { fatalf, logf } from '../../lib/golog.js';
import { closeAndExit, onSignals } from '../../lib/lifecycle.js';
import { cleanPath, formValues, goRedirect, requestTarget } from './gohttp.js';
import { rootHandler, routes, type NetexecState } from './routes.js';
import { startUDPServer } from './udp.js';
import { listenError } from '../../lib/neterr.js';

const LONG = `Starts a HTTP(S) server on given port with the following endpoints:

- /: Returns the request's timestamp.
- /clientip: Returns the request's IP address.
- /header: Returns the request's header value corresponding to the key provided or the entire
  header marshalled as json, if no form value (key) is provided.
- /dial: Creates a given number of requests to the given host and port using the given protocol,
  and returns a JSON with the fields "responses" (successful request responses) and "errors" (
  failed request responses).
- "/echo": Returns the given "msg" ("/echo?msg=echoed_msg"), with the optional status "code".
- "/exit": Closes the server with the given code and graceful shutdown.
- "/healthz": Returns "200 OK" if the server is healthy, "412 Status Precondition Failed" otherwise.
- "/readyz": Returns "200 OK" if the server is ready to receive traffic, 412 if not yet, 503 if shutting down.
- "/hostname": Returns the server's hostname.
- "/hostName": Returns the server's hostname.
- "/redirect": Returns a redirect response to the given "location", with the optional status "code".
- "/shell": Executes the given "shellCommand" or "cmd" and returns a JSON with "output" and "error".
- "/shutdown": Closes the server with the exit code 0.
- "/upload": Accepts a file to be uploaded.

It will also start a UDP server on the indicated UDP port and addresses that responds to the following commands:

- "hostname": Returns the server's hostname
- "echo <msg>": Returns the given <msg>
- "clientip": Returns the request's IP address

The UDP server can be disabled by setting --udp-port to -1.`;

// agnhost netexec: the Swiss-army HTTP/UDP server of the network e2e tests.
export const netexec: Subcommand = {
  use: 'netexec',
  short: 'Creates HTTP(S), UDP, and (optionally) SCTP servers with various endpoints',
  long: LONG,
  flags: [
    { name: 'http-port', kind: 'int', default: 8080, usage: 'HTTP Listen Port' },
    { name: 'tls-cert-file', kind: 'string', default: '', usage: 'File containing an x509 certificate for HTTPS. (CA cert, if any, concatenated after server cert)' },
    { name: 'tls-private-key-file', kind: 'string', default: '', usage: 'File containing an x509 private key matching --tls-cert-file' },
    { name: 'udp-port', kind: 'int', default: 8081, usage: 'UDP Listen Port' },
    { name: 'sctp-port', kind: 'int', default: -1, usage: 'SCTP Listen Port' },
    { name: 'http-override', kind: 'string', default: '', usage: 'Override the HTTP handler to always respond as if it were a GET with this path & params' },
    { name: 'udp-listen-addresses', kind: 'string', default: '', usage: 'A comma separated list of ip addresses the udp servers listen from' },
    { name: 'delay-shutdown', kind: 'int', default: 0, usage: 'Number of seconds to delay shutdown when receiving SIGTERM.' },
  ],
  run(flags) {
    startNetexec({
      httpPort: flags['http-port'] as number,
      udpPort: flags['udp-port'] as number,
      sctpPort: flags['sctp-port'] as number,
      certFile: flags['tls-cert-file'] as string,
      keyFile: flags['tls-private-key-file'] as string,
      httpOverride: flags['http-override'] as string,
      udpListenAddresses: flags['udp-listen-addresses'] as string,
      delayShutdown: flags['delay-shutdown'] as number,
    });
  },
};

interface NetexecOptions {
  httpPort: number;
  udpPort: number;
  sctpPort: number;
  certFile: string;
  keyFile: string;
  httpOverride: string;
  udpListenAddresses: string;
  delayShutdown: number;
}

function udpAddresses(list: string, fallback: string): string[] {
  if (list === '') return [fallback];
  const out = new Set<string>();
  for (const a of list.split(',')) {
    if (!isIP(a)) fatalf(`parseAddress: invalid address ${a}`);
    out.add(a);
  }
  return [...out].sort();
}

function startNetexec(o: NetexecOptions): void {
  const host = bindAddress();
  const udpSockets: Socket[] = [];
  let server: Server;

  const state: NetexecState = {
    hostname() {
      const h = podHostname();
      logf(`hostname: ${h}`);
      return h;
    },
    ready: false,
    terminating: false,
    shutdown(code, timeoutNs) {
      // http.Server.Shutdown: stop accepting, let in-flight requests finish, bounded by timeout.
      const exit = (err: string): void => {
        logf(`Graceful shutdown completed with: ${err}`);
        process.exit(code);
      };
      const timer = setTimeout(() => exit('context deadline exceeded'), Math.max(1, timeoutNs / 1e6));
      server.close(() => {
        clearTimeout(timer);
        exit('<nil>');
      });
      server.closeIdleConnections();
    },
  };

  // Installed before anything is printed: whoever waits for the start-up line may signal at once.
  onSignals(['SIGTERM', 'SIGINT'], (sig) => {
    const stop = (): void => closeAndExit([server, ...udpSockets], 0);
    if (sig === 'SIGINT') return stop();
    state.terminating = true;
    if (o.delayShutdown > 0) {
      logf(`Sleeping ${o.delayShutdown} seconds before terminating...`);
      setTimeout(stop, o.delayShutdown * 1000);
    } else stop();
  });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let remoteAddr = joinHostPort(req.socket.remoteAddress ?? '', req.socket.remotePort ?? 0);
    if (o.httpOverride !== '') {
      // Upstream builds a fresh GET for the override path; such a request has no RemoteAddr.
      req.url = o.httpOverride;
      req.method = 'GET';
      remoteAddr = '';
    }
    const { path, url } = requestTarget(req.url ?? '/');
    const clean = cleanPath(path);
    if (clean !== path && req.method !== 'CONNECT') {
      // ServeMux answers unclean paths ("//hostname") with a 301 to the clean one.
      goRedirect(req, res, clean + url.search, 301);
      return;
    }
    const handler = (Object.hasOwn(routes, path) ? routes[path] : undefined) ?? rootHandler;
    const form = await formValues(req, url);
    await handler({ req, res, url, form, remoteAddr }, state);
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch(() => req.socket.destroy()); // Go drops the connection when a handler panics
  };

  server =
    o.certFile !== ''
      ? createHTTPSServer({ cert: readFileSync(o.certFile), key: readFileSync(o.keyFile || o.certFile) }, listener)
      : createHTTPServer(listener);
  server.on('error', (err) => fatalf(listenError('tcp', joinHostPort(host, o.httpPort), err)));

  if (o.udpPort !== -1) {
    for (const address of udpAddresses(o.udpListenAddresses, host)) {
      udpSockets.push(startUDPServer(address, o.udpPort, () => state.hostname(), () => (state.ready = true)));
    }
  }
  if (o.sctpPort !== -1) logf(`SCTP is not supported by kubesvc; --sctp-port=${o.sctpPort} ignored`);

  logf(`Started HTTP server on port ${o.httpPort}`);
  server.listen(o.httpPort, host);
}
