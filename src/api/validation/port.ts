// Port numbers and IANA service names, used for Service targetPort and probe ports.
import { fieldErr, type FieldError, type Path } from '../../machinery/field.js';
import type { IntOrString } from '../core.js';
import { isValidPortName, isValidPortNum } from './names.js';

/** ValidatePortNumOrName: an int must be 1-65535, a string an IANA_SVC_NAME; absent is int 0. */
export function validatePortNumOrName(port: IntOrString | undefined, path: Path): FieldError[] {
  if (typeof port === 'string') return isValidPortName(port).map((m) => fieldErr.invalid(path, port, m));
  const n = port ?? 0;
  return isValidPortNum(n).map((m) => fieldErr.invalid(path, n, m));
}
