// The one property every decoder and patcher must have on hostile input: it returns, or it throws
// a StatusError (which the API server turns into a 4xx Status). A TypeError, RangeError or any
// other throw is a 500 — or worse — for the request that carried the input.
import { StatusError } from '../../../src/machinery/status.js';

/** Text only a JavaScript engine writes (Go's apimachinery never does): a bug, whatever its wrapping. */
const jsRuntimeText = /is not a function|is not iterable|Cannot (read|set) propert|is not defined|Maximum call stack|Invalid array length|undefined|\[object Object\]|Cannot convert/;

/**
 * Upstream answers a few client mistakes with a 500: an error from the strategic-merge patcher that
 * is not one of its known kinds reaches the client as Status{code 500, reason ""} with the
 * patcher's text (e.g. `unknown patch type: bogus in map: ...`). Such an answer matches upstream;
 * a 500 with any other reason, or with a JavaScript engine's words, does not.
 */
export function isUpstreamStyle500(code: number, reason: string, message: string): boolean {
  return code === 500 && reason === '' && !jsRuntimeText.test(message);
}

export function returnsOrStatusError(what: string, fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatusError) {
      // A client's mistake is never a server error, except where upstream's own answer is one.
      if (e.code >= 500 && !isUpstreamStyle500(e.code, e.reason, e.message)) {
        throw new Error(`${what}: a ${e.code} ${e.reason || '(no reason)'} StatusError for client input: ${e.message}`);
      }
      return;
    }
    const err = e as Error;
    throw new Error(`${what}: threw ${err?.name ?? typeof e} instead of a StatusError: ${err?.message ?? String(e)}`);
  }
}

/** A value nested `depth` levels deep: arrays, objects or alternating. */
export function deep(depth: number, shape: 'array' | 'object' | 'mixed', leaf: unknown = 1): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) {
    const arr = shape === 'array' || (shape === 'mixed' && i % 2 === 0);
    v = arr ? [v] : { a: v };
  }
  return v;
}
