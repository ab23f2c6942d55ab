// PodLogOptions from a query, validated as upstream's ValidatePodLogOptions: the API server checks
// pods/log with it, and the kubelet checks containerLogs with it again (a caller may reach the
// kubelet directly).
import { errors } from '../machinery/status.js';
import { fieldErr, type FieldError } from '../machinery/field.js';
import { Params } from '../apiserver/http/params.js';
import type { LogOptions } from './runtime.js';

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

/** The options as the query the kubelet's containerLogs reads (sinceTime already made sinceSeconds). */
export function logOptionsQuery(o: LogOptions): URLSearchParams {
  const q = new URLSearchParams();
  if (o.follow) q.set('follow', 'true');
  if (o.previous) q.set('previous', 'true');
  if (o.timestamps) q.set('timestamps', 'true');
  if (o.tailLines !== undefined) q.set('tailLines', String(o.tailLines));
  if (o.limitBytes !== undefined) q.set('limitBytes', String(o.limitBytes));
  if (o.sinceSeconds !== undefined) q.set('sinceSeconds', String(o.sinceSeconds));
  return q;
}
