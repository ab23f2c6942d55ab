// pods/exec over WebSocket, the remote-command channel protocol (apimachinery
// util/remotecommand, util/httpstream/wsstream): every binary message starts with a channel
// byte — 0 stdin, 1 stdout, 2 stderr, 3 error (one final Status), 4 resize — and v5 adds 255
// "close channel", which is how kubectl says stdin reached EOF. kubectl 1.32 offers v5 only; v4
// is served for other clients (no stdin EOF there).
import { constants as osConstants } from 'node:os';
import type { Readable } from 'node:stream';
import type { WebSocket } from 'ws';
import { errors, StatusError } from '../machinery/status.js';
import type { ExecSession } from './runtime.js';
import { toBuffer } from './ws-server.js';

export const STREAM_PROTOCOL_V5 = 'v5.channel.k8s.io';
export const STREAM_PROTOCOL_V4 = 'v4.channel.k8s.io';
export const EXEC_PROTOCOLS = [STREAM_PROTOCOL_V5, STREAM_PROTOCOL_V4];

const enum Channel {
  Stdin = 0,
  Stdout = 1,
  Stderr = 2,
  Error = 3,
  Resize = 4,
  Close = 255,
}

/** Unsent bytes above which the command's output is paused until the client catches up. */
const HIGH_WATER = 1 << 20;

/** exec (a new command) or attach (the container's own streams): one channel protocol for both. */
export interface ExecTarget {
  /** Starts the command, or attaches to the container. */
  start(): Promise<ExecSession>;
  container: string;
  /** Whether the container runs; the kubelet answers `container not found` otherwise. */
  running: boolean;
  /** Streams the client did not ask for: read and dropped so the command never blocks on them. */
  discardStdout?: boolean;
  discardStderr?: boolean;
}

/** The Status the error channel ends with, shaped as upstream writes it (no kind/apiVersion). */
export function exitStatus(code: number): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: command terminated with exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

function errorStatus(e: StatusError): Record<string, unknown> {
  const { kind: _k, apiVersion: _a, ...rest } = e.toStatus();
  return rest;
}

/** The kubelet's answer to exec into a container that does not run: the error channel, then close. */
export function serveContainerNotFound(ws: WebSocket, container: string): void {
  if (ws.readyState !== ws.OPEN) return;
  const status = errorStatus(errors.internal(`unable to upgrade connection: container not found ("${container}")`));
  ws.send(Buffer.concat([Buffer.from([Channel.Error]), Buffer.from(JSON.stringify(status))]), { binary: true });
  ws.close(1000);
}

/** How long after the upgrade a command starts (see serveExec). */
const STREAMS_SETTLE_MS = 20;

export function serveExec(ws: WebSocket, protocol: string, t: ExecTarget): void {
  let pending = 0;
  const paused = new Set<Readable>();
  let finished = false;

  const send = (ch: number, data: Buffer | string) => {
    const b = Buffer.concat([Buffer.from([ch]), typeof data === 'string' ? Buffer.from(data) : data]);
    pending += b.length;
    ws.send(b, { binary: true }, () => {
      pending -= b.length;
      if (pending < HIGH_WATER / 2) for (const r of paused) r.resume(), paused.delete(r);
    });
  };

  const finish = (status: Record<string, unknown>) => {
    if (finished) return;
    finished = true;
    if (ws.readyState !== ws.OPEN) return;
    send(Channel.Error, JSON.stringify(status));
    // A normal closure after the status: the client's readers see EOF, not an error.
    ws.close(1000);
  };

  if (!t.running) return serveContainerNotFound(ws, t.container);

  let session: ExecSession | undefined;
  let clientGone = false;
  let exited = false;
  // A client that leaves ends the command, as the kubelet's stream teardown does; after a
  // normal exit there is nothing to kill (and what the command left in the background stays).
  const leave = () => {
    clientGone = true;
    if (!exited) session?.kill();
  };
  ws.on('close', leave);
  ws.on('error', leave);

  // Messages may arrive before the command has started; they wait for it in order.
  const early: Buffer[] = [];
  const onMessage = (m: Buffer) => {
    if (!session) return void early.push(m);
    if (m.length === 0) return;
    const ch = m[0]!;
    const payload = m.subarray(1);
    switch (ch) {
      case Channel.Stdin:
        if (session.stdin && !session.stdin.writableEnded && payload.length) {
          // Backpressure from the command's stdin holds back the whole connection.
          if (!session.stdin.write(payload)) {
            ws.pause();
            session.stdin.once('drain', () => ws.resume());
          }
        }
        return;
      case Channel.Resize:
        try {
          const size = JSON.parse(payload.toString('utf8')) as { Width?: number; Height?: number };
          session.resize(Number(size.Width ?? 0), Number(size.Height ?? 0));
        } catch {
          /* the kubelet ignores resize messages it cannot decode */
        }
        return;
      case Channel.Close:
        if (protocol === STREAM_PROTOCOL_V5 && payload[0] === Channel.Stdin) session.stdin?.end();
        return;
      default:
        return;
    }
  };
  // Text frames count as much as binary ones: upstream's wsstream reads every message as bytes, and
  // the official Python client sends stdin as text frames ("\x00" + the data).
  ws.on('message', (d) => onMessage(toBuffer(d)));

  // The command starts a moment after the upgrade. kubectl (client-go's WebSocket executor) reads
  // the connection before it has registered its streams, and drops what arrives in between
  // ("Unknown stream id 1, discarding message", then "closed all streams"): a command as quick as
  // `echo`, whose output and status came in the same packets as the 101, was lost that way. A
  // real kubelet's container runtime takes longer than this to start a process.
  new Promise((resolve) => setTimeout(resolve, STREAMS_SETTLE_MS)).then(() => t.start()).then(
    (s) => {
      session = s;
      if (clientGone) return void s.kill();
      void s.exit.then(
        () => (exited = true),
        () => (exited = true),
      );
      s.stdin?.on('error', () => {
        /* the command exited without reading its input */
      });
      const outputs: Promise<void>[] = [];
      const pump = (r: Readable | undefined, ch: Channel, discard: boolean | undefined) => {
        if (!r) return;
        outputs.push(
          new Promise<void>((resolve) => {
            r.on('data', (b: Buffer) => {
              if (discard) return;
              send(ch, b);
              if (pending > HIGH_WATER) {
                r.pause();
                paused.add(r);
              }
            });
            r.once('end', resolve);
            r.once('close', resolve);
            r.once('error', () => resolve());
          }),
        );
      };
      pump(s.stdout, Channel.Stdout, t.discardStdout);
      pump(s.stderr, Channel.Stderr, t.discardStderr);
      for (const m of early.splice(0)) onMessage(m);
      void Promise.all([s.exit, Promise.all(outputs)]).then(([exit]) => {
        let code = exit.code ?? 0;
        // A command ended by a signal reports 128 + the signal number, as shells and runtimes do.
        if (exit.code === null && exit.signal) code = 128 + (osConstants.signals[exit.signal as NodeJS.Signals] ?? 0);
        finish(exitStatus(code));
      }, (e: unknown) => {
        // The command could not run at all (e.g. no such executable): the runtime's error.
        const se = e instanceof StatusError ? e : errors.internal(e instanceof Error ? e.message : String(e));
        finish(errorStatus(se));
      });
    },
    (e: unknown) => {
      const se = e instanceof StatusError ? e : errors.internal(`unable to upgrade connection: ${e instanceof Error ? e.message : String(e)}`);
      finish(errorStatus(se));
    },
  );
}
