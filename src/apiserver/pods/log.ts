// GET pods/log: upstream's PodLogOptions checks (pkg/registry/core/pod/rest/log.go), then the
// node's log stream copied to the client as text/plain, each chunk sent as it arrives so that
// `kubectl logs -f` shows lines as they are written.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { errors } from '../../machinery/status.js';
import { fieldErr, type FieldError } from '../../machinery/field.js';
import type { ResourceRoute } from '../http/route.js';
import type { PodNodeAccess } from './access.js';
import type { LogOptions } from '../node-connector.js';
import { Params } from '../http/params.js';
import { checkLogStatus, connectorFor, getPod, nodeNameOf, resolveContainer } from './target.js';

export interface ParsedLogOptions extends LogOptions {
  container?: string;
}

/** The query as PodLogOptions, validated as ValidatePodLogOptions does. */
export function parseLogOptions(q: URLSearchParams, podName: string): ParsedLogOptions {
  const p = new Params(q);
  const o: ParsedLogOptions = {};
  const container = p.str('container');
  if (container) o.container = container;
  o.follow = p.bool('follow');
  o.previous = p.bool('previous');
  o.timestamps = p.bool('timestamps');
  const tailLines = p.int('tailLines');
  const limitBytes = p.int('limitBytes');
  const sinceSeconds = p.int('sinceSeconds');
  const sinceTime = p.str('sinceTime');
  const errs: FieldError[] = [];
  if (tailLines !== undefined) {
    if (tailLines < 0) errs.push(fieldErr.invalid('tailLines', tailLines, 'must be greater than or equal to 0'));
    o.tailLines = tailLines;
  }
  if (limitBytes !== undefined) {
    if (limitBytes < 1) errs.push(fieldErr.invalid('limitBytes', limitBytes, 'must be greater than 0'));
    o.limitBytes = limitBytes;
  }
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    errs.push(fieldErr.forbidden('', 'at most one of `sinceTime` or `sinceSeconds` may be specified'));
  } else if (sinceSeconds !== undefined) {
    if (sinceSeconds < 1) errs.push(fieldErr.invalid('sinceSeconds', sinceSeconds, 'must be greater than 0'));
    o.sinceSeconds = sinceSeconds;
  } else if (sinceTime !== undefined) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) {
      throw errors.badRequest(`parsing time ${JSON.stringify(sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(sinceTime)}`);
    }
    // The connector speaks sinceSeconds only; a time in the future means "nothing yet" as for the kubelet.
    o.sinceSeconds = Math.max(1, Math.ceil((Date.now() - t) / 1000));
  }
  if (errs.length) throw errors.invalid('', 'PodLogOptions', podName, errs);
  return o;
}

export async function serveLog(access: PodNodeAccess, req: IncomingMessage, res: ServerResponse, route: ResourceRoute): Promise<void> {
  if ((req.method ?? 'GET') !== 'GET') throw errors.methodNotSupported({ group: '', resource: 'pods/log' }, (req.method ?? '').toLowerCase());
  const url = new URL(req.url ?? '/', 'https://kubesvc');
  const name = route.name!;
  const opts = parseLogOptions(url.searchParams, name);
  const { pod, namespace } = await getPod(access, route.namespace, name);
  const container = resolveContainer(pod, name, opts.container);
  const nodeName = nodeNameOf(pod);
  // Upstream answers an unscheduled pod with an empty log (LogLocation returns no location).
  if (!nodeName) return sendLogStream(res, undefined);
  const connector = await connectorFor(access, nodeName);
  checkLogStatus(pod, name, container, opts.previous === true);
  const logOpts: LogOptions = { ...opts };
  delete (logOpts as ParsedLogOptions).container;
  const stream = await connector.logs(namespace, name, container, logOpts);
  return sendLogStream(res, stream);
}

function sendLogStream(res: ServerResponse, stream: Readable | undefined): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  if (!stream) {
    res.end();
    return Promise.resolve();
  }
  res.flushHeaders();
  return new Promise<void>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      stream.destroy();
      resolve();
    };
    stream.on('data', (chunk: Buffer | string) => {
      // Backpressure: a slow reader pauses the container's log rather than buffering it here.
      if (!res.write(chunk)) {
        stream.pause();
        res.once('drain', () => stream.resume());
      }
    });
    stream.once('end', () => {
      res.end();
      finish();
    });
    stream.once('error', () => {
      // Headers are out; all we can do is end the body, as upstream does when the kubelet drops.
      res.end();
      finish();
    });
    // The client went away (kubectl logs -f interrupted): stop following.
    // (res, not req: a request's 'close' only says its body was read.)
    res.once('close', finish);
  });
}
