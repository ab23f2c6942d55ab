import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import { createSocket } from 'node:dgram';
import { fileURLToPath } from 'node:url';

// Helpers for the built-in image tests: real processes, real sockets on 127.250.0.0/16.

export const IMAGES_DIST = fileURLToPath(new URL('../../../src/node/images/', import.meta.url));
export const AGNHOST = IMAGES_DIST + 'agnhost/main.js';
export const SERVE_HOSTNAME = IMAGES_DIST + 'serve-hostname/main.js';
export const PAUSE = IMAGES_DIST + 'pause/main.js';

/**
 * A /24 inside 127.250.0.0/16 for one test file. `slot` keeps files apart; the pid keeps two
 * concurrent runs of the suite apart.
 */
export function testSubnet(slot: number): (host: number) => string {
  const third = (slot * 37 + (process.pid % 37)) % 250;
  return (host: number) => `127.250.${third}.${host}`;
}

/** A port free on `host` right now (bind port 0, read it, release it). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** A UDP port free on `host`. */
export function freeUDPPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.on('error', reject);
    s.bind(0, host, () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

export interface Program {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** resolves once stdout+stderr contain `text` */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const started: ChildProcess[] = [];

export function startProgram(entry: string, args: string[], env: Record<string, string>): Program {
  return startFile(process.execPath, [entry, ...args], env);
}

/** A built-in image that is not a Node program (see BuiltinImage.native). */
export function startFile(file: string, argv: string[], env: Record<string, string>): Program {
  const child = spawn(file, argv, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let out = '';
  let err = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', (c: Buffer) => {
    out += c.toString();
    waiters.forEach((w) => w());
  });
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
    waiters.forEach((w) => w());
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitFor(text, timeoutMs = 5000) {
      const has = (): boolean => (typeof text === 'string' ? (out + err).includes(text) : text.test(out + err));
      return new Promise((resolve, reject) => {
        if (has()) return resolve();
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${String(text)}; stdout=${out} stderr=${err}`)),
          timeoutMs,
        );
        const check = (): void => {
          if (has()) {
            clearTimeout(timer);
            resolve();
          }
        };
        waiters.push(check);
        void exited.then(() => setTimeout(check, 10));
      });
    },
  };
}

/** Kills, by PID, every program a test file started that is still running. */
export function killAll(): void {
  for (const c of started.splice(0)) {
    if (c.exitCode === null && c.signalCode === null && c.pid !== undefined) {
      try {
        process.kill(c.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

export interface HTTPResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One GET on a fresh connection, like curl. */
export function httpGet(host: string, port: number, path: string, opts: { localAddress?: string; agent?: Agent } = {}): Promise<HTTPResult> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method: 'GET', agent: false, ...opts }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.on('error', reject);
    });
    req.setTimeout(8000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Polls until an HTTP GET succeeds (the program is listening). */
export async function waitHTTP(host: string, port: number, path = '/', timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      await httpGet(host, port, path);
      return;
    } catch (err) {
      if (Date.now() > end) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Sends one datagram, returns the first answer (or undefined after timeoutMs). */
export function udpRoundTrip(host: string, port: number, msg: string, timeoutMs = 2000, localAddress?: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, timeoutMs);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m.toString());
    });
    s.on('error', (err) => {
      clearTimeout(timer);
      s.close();
      reject(err);
    });
    const send = (): void => s.send(msg, port, host);
    if (localAddress) s.bind(0, localAddress, send);
    else send();
  });
}

/** SIGTERM, then how long the process took to exit and with what status. */
export async function terminate(p: Program, signal: NodeJS.Signals = 'SIGTERM'): Promise<{ code: number | null; ms: number }> {
  const t0 = Date.now();
  p.child.kill(signal);
  const { code } = await p.exited;
  return { code, ms: Date.now() - t0 };
}

/**
 * For programs that print nothing once ready (the pause image): give Node time to load the
 * program, so the signal reaches its handler rather than Node's start-up default. (The SigCgt
 * mask in /proc cannot tell: Node catches SIGINT and SIGTERM from its first instruction.)
 */
export async function settle(p: Program, ms = 1000): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
  if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error('program exited early: ' + p.stderr());
}
