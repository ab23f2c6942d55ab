// The patchers walk documents recursively. The request path refuses bodies nested deeper than the
// JSON decoder's bound before any patch runs, but a stored document plus a patch can still be
// deeper than the stack allows: that is the client's too-deep input, answered as upstream's
// decoder answers nesting past its limit, never a RangeError (a 500).
import { errors } from '../status.js';

export function withinDepth<T>(apply: () => T): T {
  try {
    return apply();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) throw errors.badRequest('exceeded max depth');
    throw e;
  }
}
