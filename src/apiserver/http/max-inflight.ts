// kube-apiserver's --max-requests-inflight and --max-mutating-requests-inflight (the MaxInFlight
// filter): at most N read-only and M mutating requests are served at once; past that a request is
// answered 429 at once rather than queued, so a burst from one client cannot pile up work and
// memory behind it. Long-running requests (watches, logs, exec, attach, port-forward, proxy) are
// not counted: they hold a slot for their whole life by design. Members of system:masters are
// never refused, as upstream: a super-admin (or the loopback client) must always get an answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isLongRunning } from './long-running.js';
import { userFromClientCertificate } from '../auth/x509.js';
import { systemPrivilegedGroup } from '../auth/user.js';

export interface MaxInFlightOptions {
  /** --max-requests-inflight (upstream default 400); 0 means no limit. */
  maxRequestsInFlight: number;
  /** --max-mutating-requests-inflight (upstream default 200); 0 means no limit. */
  maxMutatingRequestsInFlight: number;
}

export const defaultMaxInFlight: MaxInFlightOptions = { maxRequestsInFlight: 400, maxMutatingRequestsInFlight: 200 };

/** Upstream's answer, word for word: a plain-text http.Error, not a Status object. */
export const tooManyRequestsMessage = 'Too many requests, please try again later.';
const RETRY_AFTER_SECONDS = '1';

/** Upstream's nonMutatingRequestVerbs, here as the HTTP methods that carry them. */
const readOnlyMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export class MaxInFlight {
  private readOnly = 0;
  private mutating = 0;
  /** Refusals so far, for benchmarks and tests. */
  rejected = 0;

  constructor(private readonly opts: MaxInFlightOptions = defaultMaxInFlight) {}

  get inFlight(): { readOnly: number; mutating: number } {
    return { readOnly: this.readOnly, mutating: this.mutating };
  }

  /**
   * Serves `req` through `next` if there is room (or the request is exempt), holding its slot
   * until the response is finished or the connection is gone; otherwise answers 429.
   */
  handle(req: IncomingMessage, res: ServerResponse, next: () => void): void {
    if (isLongRunning(req)) return next();
    const mutating = !readOnlyMethods.has(req.method ?? 'GET');
    const limit = mutating ? this.opts.maxMutatingRequestsInFlight : this.opts.maxRequestsInFlight;
    if (limit <= 0) return next();
    const current = mutating ? this.mutating : this.readOnly;
    if (current >= limit) {
      if (isSystemMaster(req)) return next();
      this.rejected++;
      tooManyRequests(res);
      return;
    }
    if (mutating) this.mutating++;
    else this.readOnly++;
    let released = false;
    // 'close' fires once the response is sent or the client went away, whichever comes first,
    // so a slot is never leaked by a handler that forgets to end or a client that disconnects.
    res.once('close', () => {
      if (released) return;
      released = true;
      if (mutating) this.mutating--;
      else this.readOnly--;
    });
    next();
  }
}

function tooManyRequests(res: ServerResponse): void {
  // Go's http.Error: text/plain, nosniff, the message and a newline.
  const body = `${tooManyRequestsMessage}\n`;
  res.writeHead(429, {
    'Retry-After': RETRY_AFTER_SECONDS,
    'Content-Type': 'text/plain; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Content-Length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** The groups come from the client certificate, read by the API server's own authenticator. */
function isSystemMaster(req: IncomingMessage): boolean {
  const sock = req.socket as Partial<TLSSocket>;
  if (sock.authorized !== true || typeof sock.getPeerCertificate !== 'function') return false;
  return userFromClientCertificate(sock as TLSSocket)?.groups.includes(systemPrivilegedGroup) ?? false;
}

