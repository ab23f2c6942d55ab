// Strategic merge patch failures (apimachinery mergepatch errors) and the Status the apiserver
// turns each into (interpretStrategicMergePatchError in the PATCH handler).
import { StatusError, errors } from '../../status.js';
import { goTypeName, goV } from '../../goformat.js';

/** How the apiserver reports an error: sentinel format errors are 400, two are 422, the rest (500 upstream) 400. */
type Disposition = 'badRequest' | 'invalid' | 'internal';

export class SmpError extends Error {
  constructor(
    message: string,
    readonly disposition: Disposition = 'internal',
  ) {
    super(message);
    this.name = 'SmpError';
  }

  toStatusError(): StatusError {
    switch (this.disposition) {
      case 'badRequest':
        return errors.badRequest(this.message);
      case 'invalid': {
        const e = new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
        e.cause = this;
        return e;
      }
      default:
        // Upstream lets these plain Go errors through as a 500 with reason Unknown; every one of
        // them is about the client's patch (a list item without its merge key, an unknown $patch,
        // mixed item types), and no client mistake may be a 5xx here: 400 with upstream's text.
        return errors.badRequest(this.message);
    }
  }
}

export const smpErrors = {
  badJsonDoc: () => new SmpError('invalid JSON document', 'badRequest'),
  noListOfLists: () => new SmpError('lists of lists are not supported', 'invalid'),
  badPrimitiveListFormat: () => new SmpError('invalid patch format of primitive list', 'badRequest'),
  badRetainKeysFormat: () => new SmpError('invalid patch format of retainKeys', 'badRequest'),
  badSetElementOrderFormat: () => new SmpError('invalid patch format of setElementOrder list', 'badRequest'),
  noMergeKey: (m: unknown, key: string) => new SmpError(`map: ${goV(m)} does not contain declared merge key: ${key}`),
  /** ErrBadArgType: `expected` is the Go type upstream asserted. */
  badArgType: (expected: 'map' | 'slice', actual: unknown) =>
    new SmpError(
      `expected a ${expected === 'map' ? 'map[string]interface {}' : '[]interface {}'}, but received a ${goTypeName(actual)}`,
    ),
  badPatchType: (t: unknown, m: unknown) =>
    new SmpError(`unknown patch type: ${typeof t === 'string' ? t : `%!s(${goTypeName(t)}=${goV(t)})`} in map: ${goV(m)}`),
  other: (msg: string) => new SmpError(msg),
};
