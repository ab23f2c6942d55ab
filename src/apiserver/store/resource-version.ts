// resourceVersion parameters as upstream's storage layer reads them: an unsigned 64-bit decimal
// ("" and "0" mean "any"), and the answers for one that is not there yet.
import { errors, StatusError } from '../../machinery/status.js';

const maxUint64 = 18446744073709551615n;

/** How long a read waits for the cache to reach a resourceVersion ahead of it (upstream's blockTimeout). */
export const blockTimeoutMs = 3000;
/** The Retry-After upstream suggests for a resourceVersion the cache has not reached. */
export const resourceVersionTooHighRetrySeconds = 1;

/** Parses a resourceVersion parameter; a 400 in upstream's words when it is not one. */
export function parseResourceVersion(rv: string): number {
  if (rv === '' || rv === '0') return 0;
  const why = !/^\d+$/.test(rv) ? 'invalid syntax' : BigInt(rv) > maxUint64 ? 'value out of range' : undefined;
  if (why) {
    throw errors.badRequest(
      `invalid resource version: resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: ${why}`,
    );
  }
  // Revisions beyond 2^53 cannot exist here; rounded, they still compare as "too large".
  return Number(rv);
}

/** Upstream's NewTooLargeResourceVersionError: 504 Timeout, retry after a second. */
export function tooLargeResourceVersion(requested: number, current: number): StatusError {
  return new StatusError(504, 'Timeout', `Timeout: Too large resource version: ${requested}, current: ${current}`, {
    causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
    retryAfterSeconds: resourceVersionTooHighRetrySeconds,
  });
}
