// Watch streams: one JSON WatchEvent per line over a chunked response, as kubectl and client-go
// informers read them (or one per WebSocket message, watch-websocket.ts, as browsers read them). Errors after the stream started (e.g. a too-old resourceVersion) are sent
// as an ERROR event carrying a Status, as upstream does.
import type { ServerResponse } from 'node:http';
import { StatusError } from '../../machinery/status.js';
import type { CachedObject } from '../store/cached-object.js';
import type { ResourceRequest } from '../handlers/request.js';
import { bookmarkObject, openWatch } from '../handlers/verbs.js';
import type { Representation } from './negotiate.js';
import { toTable, type IncludeObject } from '../tables/index.js';
import { includeObjectParam } from '../tables/negotiate.js';
import { toStatusError } from './respond.js';
import { guard } from './containment.js';

/** A watcher this far behind is cut off; its client re-watches from its last resourceVersion. */
const maxBufferedBytes = 32 * 1024 * 1024;
const bookmarkIntervalMs = 60_000;
/** The longest a watch event waits to share a write with the ones after it. */
const batchWindowMs = 5;
const maxTimerMs = 2 ** 31 - 1;

/** What tells a watch its client left: the request ('close'), or a WebSocket's sink. */
export interface ClientGone {
  on(event: 'close', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

export async function serveWatch(
  req: ClientGone,
  res: ServerResponse,
  r: ResourceRequest,
  rep: Representation,
): Promise<void> {
  const store = r.storage.store;
  const includeObject: IncludeObject = includeObjectParam(r.query.str('includeObject'));
  // Upstream streams Table watch events as plain application/json too.
  const contentType = 'application/json';

  let headersSent = false;
  const start = () => {
    // The headers may have gone already with an error Status (a watch refused before it began).
    if (headersSent || res.headersSent) return;
    headersSent = true;
    res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.socket?.setNoDelay(true);
    // Clients (client-node's informer among them) wait for the headers before they count the
    // watch as established; send them now rather than with the first event.
    res.flushHeaders();
  };
  let firstTable = true;
  let closed = false;
  let lastRevision = 0;
  // Events leave in batches: at most one write per watcher every few milliseconds while events
  // pour in (a hundred watchers then cost a hundred TLS records per batch, not per event), and at
  // once when the stream has been quiet, so a lone change is not delayed.
  let pending: string[] = [];
  let flushQueued = false;
  let lastFlush = 0;
  const flush = () => {
    flushQueued = false;
    lastFlush = performance.now();
    if (closed || pending.length === 0) return;
    start();
    const chunk = pending.length === 1 ? pending[0]! : pending.join('');
    pending = [];
    res.write(chunk);
    if (res.writableLength > maxBufferedBytes) finish();
  };
  const write = (line: string) => {
    if (closed) return;
    pending.push(line);
    if (flushQueued) return;
    flushQueued = true;
    const since = performance.now() - lastFlush;
    if (since >= batchWindowMs) setImmediate(flush);
    else setTimeout(flush, batchWindowMs - since);
  };
  const encode = (type: 'ADDED' | 'MODIFIED' | 'DELETED', o: CachedObject) => {
    if (rep.as !== 'Table') return o.watchLine(type);
    const obj = o.obj;
    const t = toTable(r.storage.entry.printer, [obj], { includeObject, noHeaders: !firstTable });
    firstTable = false;
    const table = rep.version === 'v1beta1' ? { ...t, apiVersion: 'meta.k8s.io/v1beta1' } : t;
    return `{"type":"${type}","object":${JSON.stringify(table)}}\n`;
  };

  let stopWatch: (() => void) | undefined;
  const timers: NodeJS.Timeout[] = [];
  const finish = () => {
    if (closed) return;
    if (pending.length && res.writableLength <= maxBufferedBytes) {
      start();
      res.write(pending.join(''));
      pending = [];
    }
    closed = true;
    stopWatch?.();
    for (const t of timers) clearTimeout(t);
    start();
    if (!res.writableEnded) res.end();
  };
  const onGone = guard(finish);
  req.on('close', onGone);
  res.on('error', onGone);

  try {
    const w = await openWatch(
      r,
      // Called from the watch cache's dispatch loop, not this request's context: a failure
      // encoding one event (a Table of an odd object) must end this watch only, not the loop
      // that feeds every other watcher.
      guard((type: 'ADDED' | 'MODIFIED' | 'DELETED', o: CachedObject) => {
        if (o.revision > lastRevision) lastRevision = o.revision;
        write(encode(type, o));
      }),
    );
    stopWatch = w.stop;
    const { timeoutSeconds, bookmarks, sendInitialEvents } = w;
    if (lastRevision < w.revision) lastRevision = w.revision;
    if (closed) {
      w.stop();
      return;
    }
    start();
    const bookmark = (annotations?: Record<string, string>) => {
      // A watch from a resourceVersion the cache has not reached gets no bookmark until it has.
      if (lastRevision > store.revision) return;
      const rv = String(Math.max(lastRevision, store.cache.oldestResumable));
      write(`{"type":"BOOKMARK","object":${JSON.stringify(bookmarkObject(r, rv, annotations))}}\n`);
    };
    if (sendInitialEvents && bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
    if (bookmarks) {
      const tick = () => {
        bookmark();
        timers[0] = setTimeout(tick, bookmarkIntervalMs);
      };
      timers[0] = setTimeout(tick, bookmarkIntervalMs);
    }
    // Without timeoutSeconds upstream ends watches after a random 30-60 minutes.
    // 0 means that default too; a negative one ends the watch at once, as upstream's does.
    const seconds = timeoutSeconds || 1800 + Math.floor(Math.random() * 1800);
    // Node's timers overflow at 2^31-1 ms (and then fire at once): cap a huge timeout there.
    timers.push(setTimeout(finish, Math.min(Math.max(seconds, 0) * 1000, maxTimerMs)));
  } catch (e) {
    const se = toStatusError(e);
    // Once the resourceVersion parsed, upstream reports failures (410 too old, 504 too large for
    // a watch-list) as one ERROR event on an established stream; only bad parameters are direct.
    if (se instanceof StatusError && (se.code === 410 || se.code === 504 || headersSent)) {
      write(`{"type":"ERROR","object":${JSON.stringify(se.toStatus())}}\n`);
      finish();
      return;
    }
    // Refused before it began: the caller answers with this Status, and the connection's later
    // 'close' must not try to end a watch that never started (it once wrote headers twice and
    // took the whole process down).
    closed = true;
    req.off('close', onGone);
    res.off('error', onGone);
    throw se;
  }
}
