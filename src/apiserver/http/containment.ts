// Crash containment for API requests: no request, however hostile or however buggy its handler,
// may end the process (every pod would stop with it). A request runs inside an async context;
// a failure its handler throws or rejects with, or one raised later in a timer or promise it
// started, ends that request only — with an error Status when nothing was written yet, else by
// destroying its connection — and is logged. Failures no request can be blamed for keep Node's
// own behaviour (print and exit), so real bugs elsewhere are not silently swallowed.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import type { EventEmitter } from 'node:events';
import { sendError } from './respond.js';
import { logger } from '../../util/log.js';

const log = logger('apiserver');

export interface RequestScope {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

const requestScope = new AsyncLocalStorage<RequestScope>();

/**
 * Ends a request after its handler failed: one error Status if no byte of the answer left yet,
 * otherwise the connection is destroyed (a half-written answer cannot be repaired, and the client
 * must not take it for a whole one). An answer already complete is left alone — its connection
 * may be carrying the client's next request by now.
 */
export function failRequest(scope: RequestScope, e: unknown): void {
  const { req, res } = scope;
  const what = `${req.method ?? 'GET'} ${req.url ?? '/'}`;
  try {
    if (res.writableEnded) {
      log.error(`request ${what} failed after its answer was complete`, e);
      return;
    }
    if (!res.headersSent) {
      sendError(res, e); // logs internal errors itself
      return;
    }
    log.error(`request ${what} failed mid-answer; closing its connection`, e);
    // What was written still leaves (the socket may be a TLS layer started late, whose writes are
    // not yet on the wire), then the connection closes without the answer's end, so the client
    // sees an aborted answer, never a whole one. A client that does not read gets destroyed.
    const socket = req.socket;
    socket.end();
    setTimeout(() => socket.destroy(), 1000).unref();
  } catch (inner) {
    log.error(`request ${what} could not be ended cleanly; closing its connection`, inner);
    req.socket.destroy();
  }
}

/**
 * Runs one request's handler contained: whatever it throws or rejects with becomes that
 * request's answer, and anything its timers and promises raise later is attributed to it.
 */
export function serveContained(
  req: IncomingMessage,
  res: ServerResponse,
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<void> {
  installProcessHandlers();
  const scope: RequestScope = { req, res };
  containEmitter(req, scope);
  containEmitter(res, scope);
  return requestScope.run(scope, async () => {
    try {
      await handler(req, res);
    } catch (e) {
      failRequest(scope, e);
    }
  });
}

/**
 * Makes the request's own emitters (req, res) call their listeners inside the request's context
 * and contained: emitters run listeners in whatever context emits (the connection's parser), where
 * a throw could be blamed on no request. An 'error' nobody listens for is contained the same way.
 */
function containEmitter(emitter: EventEmitter, scope: RequestScope): void {
  const emit = emitter.emit;
  emitter.emit = function contained(this: EventEmitter, event: string | symbol, ...args: unknown[]): boolean {
    return requestScope.run(scope, () => {
      try {
        return emit.call(this, event, ...args);
      } catch (e) {
        failRequest(scope, e);
        return true;
      }
    });
  };
}

/**
 * Wraps a listener on an emitter other than the request's own (a socket, a store, a stream the
 * handler opened): emitters call listeners in their own async context, where an error could not
 * be attributed; the guard fails the request the listener was registered for.
 */
export function guard<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  const scope = requestScope.getStore();
  return (...args: A) => {
    try {
      fn(...args);
    } catch (e) {
      if (!scope) throw e;
      failRequest(scope, e);
    }
  };
}

let installed = false;

/**
 * Installs the process-wide handlers once, the first time a request is served — so `kubesvc up`,
 * `kubesvc apiserver` and test API servers all get them without each entry point remembering to.
 */
export function installProcessHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onUnhandledRejection);
}

function onUncaught(e: unknown): void {
  const scope = requestScope.getStore();
  if (scope) {
    failRequest(scope, e);
    return;
  }
  notOurs('uncaughtException', e);
}

function onUnhandledRejection(reason: unknown): void {
  const scope = requestScope.getStore();
  if (scope) {
    failRequest(scope, reason);
    return;
  }
  notOurs('unhandledRejection', reason);
}

/**
 * A failure no request owns. When others listen for it (a test runner, an embedding program)
 * they decide; otherwise it is fatal, as it was before this handler existed: Node prints the error
 * and exits with status 1 for an uncaught exception, and for an unhandled rejection by default.
 */
function notOurs(event: 'uncaughtException' | 'unhandledRejection', e: unknown): void {
  const others =
    event === 'uncaughtException'
      ? process.listeners('uncaughtException').filter((l) => l !== onUncaught)
      : process.listeners('unhandledRejection').filter((l) => l !== onUnhandledRejection);
  if (others.length) return;
  process.stderr.write(`${inspect(e)}\n`);
  process.exit(1);
}
