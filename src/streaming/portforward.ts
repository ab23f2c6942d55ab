// pods/portforward as kubectl 1.32 speaks it by default: a WebSocket whose subprotocol is
// `SPDY/3.1+portforward.k8s.io` carrying a SPDY connection (client-go's tunneling dialer; the
// apiserver upstream passes it through to the kubelet, which serves the port-forward protocol).
// Each forwarded connection is a pair of SPDY streams sharing a `requestID`: `error` (we write a
// message there if forwarding fails) and `data` (the bytes), as the kubelet's
// cri/streaming/portforward/httpstream.go pairs them.
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { StreamingRuntime } from './runtime.js';
import { logger } from '../util/log.js';
import { SpdySession, type SpdyStream, type SpdyTransport } from './spdy/session.js';
import { RstStatus } from './spdy/frames.js';
import { toBuffer } from './ws-server.js';

const log = logger('portforward');

export const PORT_FORWARD_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

/** How long the second stream of a pair may take (the kubelet's stream creation timeout). */
const STREAM_PAIR_TIMEOUT_MS = 30_000;

export interface PortForwardTarget {
  runtime: StreamingRuntime;
  namespace: string;
  name: string;
  uid: string;
}

interface StreamPair {
  id: string;
  data?: SpdyStream;
  error?: SpdyStream;
  timer: NodeJS.Timeout;
}

export function servePortForwardTunnel(ws: WebSocket, target: PortForwardTarget): void {
  const transport: SpdyTransport = {
    send: (frame, done) => ws.send(frame, { binary: true }, () => done()),
    close: () => ws.close(1000),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  };
  const pairs = new Map<string, StreamPair>();
  const session = new SpdySession(transport, (s) => onStream(s));
  session.on('error', (e) => log.debug(`port-forward to ${target.namespace}/${target.name}: ${e.message}`));
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return ws.close(1003, 'invalid message type received');
    session.receive(toBuffer(data));
  });
  ws.on('close', () => {
    for (const p of pairs.values()) clearTimeout(p.timer);
    pairs.clear();
    session.close();
  });
  ws.on('error', () => session.close());

  function onStream(s: SpdyStream): void {
    // The kubelet rejects (resets) streams whose headers it cannot use.
    const portText = s.header('port');
    const port = Number(portText);
    if (!portText || !Number.isInteger(port) || port < 1 || port > 65535) return s.reset(RstStatus.ProtocolError);
    const type = s.header('streamtype');
    if (type !== 'data' && type !== 'error') return s.reset(RstStatus.ProtocolError);
    // Clients before request ids sent pairs with consecutive stream ids: error first, then data.
    const id = s.header('requestid') || String(type === 'error' ? s.id : s.id - 2);
    let pair = pairs.get(id);
    if (!pair) {
      const p: StreamPair = {
        id,
        timer: setTimeout(() => {
          pairs.delete(id);
          p.error?.end(Buffer.from('timed out waiting for streams'));
          p.data?.reset();
        }, STREAM_PAIR_TIMEOUT_MS),
      };
      pairs.set(id, p);
      pair = p;
    }
    if (pair[type]) return s.reset(RstStatus.ProtocolError);
    pair[type] = s;
    if (pair.data && pair.error) {
      clearTimeout(pair.timer);
      pairs.delete(id);
      forward(pair.data, pair.error, port);
    }
  }

  function forward(data: SpdyStream, error: SpdyStream, port: number): void {
    // The kubelet's wording, with the pod's full name (name_namespace) as it knows pods.
    const prefix = `error forwarding port ${port} to pod ${target.name}_${target.namespace}, uid ${target.uid}`;
    let sock: Duplex | undefined;
    let gone = false;
    // The client resets the data stream once it is done with it; a reset before we connected
    // means nobody is waiting for the connection any more.
    data.on('reset', () => {
      gone = true;
      sock?.destroy();
      error.end();
    });
    error.on('reset', () => {
      gone = true;
      sock?.destroy();
    });
    // Bytes (and even the client's FIN) can arrive while we are still connecting: keep them.
    const early: Buffer[] = [];
    let earlyEnd = false;
    const keep = (b: Buffer) => early.push(b);
    const keepEnd = () => (earlyEnd = true);
    data.on('data', keep);
    data.on('end', keepEnd);
    target.runtime.portForward(target.namespace, target.name, port).then(
      (c) => {
        data.off('data', keep);
        data.off('end', keepEnd);
        if (gone) return void c.destroy();
        sock = c;
        for (const b of early.splice(0)) c.write(b);
        if (earlyEnd) c.end();
        pipe(c, data, error, prefix);
      },
      (e: unknown) => {
        const why = e instanceof Error ? e.message : String(e);
        error.end(Buffer.from(`${prefix}: ${why}`));
        data.end();
      },
    );
  }

  function pipe(sock: Duplex, data: SpdyStream, error: SpdyStream, prefix: string): void {
    let inputPaused = false;
    const resumeInput = () => {
      if (inputPaused) {
        inputPaused = false;
        session.resumeInput();
      }
    };
    data.on('data', (b) => {
      if (!sock.write(b) && !inputPaused) {
        inputPaused = true;
        session.pauseInput();
        sock.once('drain', resumeInput);
      }
    });
    data.on('end', () => sock.end());
    sock.on('data', (b: Buffer) => {
      if (!data.write(b)) {
        sock.pause();
        session.once('drain', () => sock.resume());
      }
    });
    sock.on('end', () => data.end());
    let failure: string | undefined;
    sock.on('error', (e) => (failure = e.message));
    sock.on('close', () => {
      resumeInput();
      data.end();
      // What went wrong mid-connection goes to the error stream, as the kubelet reports a
      // failed copy; kubectl prints it and ends the session.
      if (failure && !data.isReset) error.end(Buffer.from(`${prefix}: ${failure}`));
      else error.end();
    });
  }
}
