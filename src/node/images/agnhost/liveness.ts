import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Subcommand } from '../lib/command.js';
import { bindAddress, joinHostPort } from '../lib/env.js';
import { fatalf } from '../lib/golog.js';
import { formatGoDuration } from '../lib/gofmt.js';
import { closeAndExit, onSignals } from '../lib/lifecycle.js';
import { goHTTPError, goNotFound, goRedirect, goWrite } from './netexec/gohttp.js';
import { listenError } from '../lib/neterr.js';

// agnhost liveness: HTTP on 8080 whose /healthz is 200 "ok" for the first 10 seconds and 500
// afterwards, so a livenessProbe restarts the container; plus upstream's failure-emulation URLs.
const PORT = 8080;

interface Params {
  statusCode: number;
  sleepSec: number;
  bodySize: number;
  writeInterval: number;
}

function intParam(q: URLSearchParams, name: string, def: number): number {
  const v = q.get(name) ?? '';
  if (v === '') return def;
  if (!/^[+-]?\d+$/.test(v)) throw new Error(`parameter '${name}' is invalid: strconv.Atoi: parsing "${v}": invalid syntax`);
  return Number(v);
}

function parseParams(q: URLSearchParams): Params {
  return {
    statusCode: intParam(q, 'code', 500),
    sleepSec: intParam(q, 'time', 0),
    bodySize: intParam(q, 'size', 0),
    writeInterval: intParam(q, 'interval', 0),
  };
}

const sleep = (s: number): Promise<void> => new Promise((r) => setTimeout(r, s * 1000));

/** size KiB of random hex, optionally pausing `interval` seconds before each KiB. */
async function writeBody(res: ServerResponse, size: number, interval: number): Promise<void> {
  for (let kb = 0; kb < size; kb++) {
    if (interval > 0) await sleep(interval);
    res.write(randomBytes(512).toString('hex'));
  }
}

async function handle(req: IncomingMessage, res: ServerResponse, started: bigint): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://x');
  const q = url.searchParams;
  const elapsedNs = Number(process.hrtime.bigint() - started);
  const withParams = (): Params | undefined => {
    try {
      return parseParams(q);
    } catch (err) {
      goHTTPError(res, (err as Error).message, 400);
      return undefined;
    }
  };
  switch (url.pathname) {
    case '/started':
      goWrite(res, formatGoDuration(elapsedNs));
      return;
    case '/healthz':
      if (elapsedNs / 1e9 > 10) goWrite(res, `error: ${elapsedNs / 1e9}`, 500);
      else goWrite(res, 'ok');
      return;
    case '/redirect':
      goRedirect(req, res, q.get('loc') ?? '', 302);
      return;
    case '/sleep-headers': {
      const p = withParams();
      if (!p) return;
      if (p.sleepSec > 0) await sleep(p.sleepSec);
      res.writeHead(p.statusCode);
      res.write(`Slept for ${p.sleepSec} secs\n`);
      await writeBody(res, p.bodySize, 0);
      res.end();
      return;
    }
    case '/disconnect-headers':
      req.socket.destroy();
      return;
    case '/sleep-body': {
      const p = withParams();
      if (!p) return;
      res.writeHead(p.statusCode);
      await writeBody(res, p.bodySize, p.writeInterval);
      res.write(`Sleeping for ${p.sleepSec} secs\n`);
      if (p.sleepSec > 0) await sleep(p.sleepSec);
      res.end(`Slept for ${p.sleepSec} secs\n`);
      return;
    }
    case '/disconnect-body': {
      const p = withParams();
      if (!p) return;
      res.writeHead(p.statusCode);
      await writeBody(res, p.bodySize, 0);
      res.write('Disconnecting\n', () => req.socket.destroy());
      return;
    }
    case '/slow-response': {
      const p = withParams();
      if (!p) return;
      res.writeHead(p.statusCode);
      await writeBody(res, p.bodySize, p.writeInterval);
      res.end();
      return;
    }
    default:
      goNotFound(res);
  }
}

export const liveness: Subcommand = {
  use: 'liveness',
  short: 'Starts a server that is alive for 10 seconds',
  long:
    'A simple server that is alive for 10 seconds, then reports unhealthy for the rest of its (hopefully) short existence. ' +
    'Failures can be emulated by passing parameters to specific URLs.',
  flags: [],
  run() {
    const started = process.hrtime.bigint();
    const host = bindAddress();
    const server = createServer((req, res) => {
      handle(req, res, started).catch(() => req.socket.destroy());
    });
    server.on('error', (err) => fatalf(listenError('tcp', joinHostPort(host, PORT), err)));
    server.listen(PORT, host);
    onSignals(['SIGTERM', 'SIGINT'], () => closeAndExit([server], 0));
  },
};
