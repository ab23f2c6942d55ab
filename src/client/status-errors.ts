// Turns an error response into the StatusError the server meant, as client-go's
// transformResponse does: a Status body is used as is; anything else gets the reason
// upstream associates with the HTTP code and the body as its message.
import { StatusError, type Status, type StatusReason } from '../machinery/status.js';

const reasonByCode: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'Status';
}

export function responseError(code: number, body: string): StatusError {
  try {
    const v: unknown = JSON.parse(body);
    if (isStatus(v) && v.status !== 'Success') return StatusError.fromStatus({ ...v, code: v.code || code });
  } catch {
    /* not JSON: fall through */
  }
  const text = body.trim() || `the server responded with status ${code}`;
  return new StatusError(code, reasonByCode[code] ?? '', text);
}
