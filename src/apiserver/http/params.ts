// Query parameters of API requests, parsed with upstream's rules and errors.
import { errors } from '../../machinery/status.js';
import { fieldErr, type FieldError } from '../../machinery/field.js';
import type { FieldValidation } from '../store/context.js';

const maxInt64 = 9223372036854775807n;

/**
 * A boolean query parameter as upstream converts it (apimachinery's runtime.Convert_Slice_string_To_bool,
 * k8s.io/apimachinery/pkg/runtime/conversion.go, used by the generated url.Values conversions of
 * ListOptions, PodLogOptions, PodExecOptions, PodAttachOptions...): absent, "0" and "false" in any
 * case are false; every other value, the empty one (`?watch`), "True" (the Python client) and
 * "maybe" included, is true. It never fails: there is no 400 for an odd boolean upstream.
 */
export function queryBool(v: string | null | undefined): boolean {
  if (v === null || v === undefined) return false;
  return v !== '0' && v.toLowerCase() !== 'false';
}

export class Params {
  constructor(private readonly q: URLSearchParams) {}

  str(name: string): string | undefined {
    const v = this.q.get(name);
    return v === null ? undefined : v;
  }

  /** A boolean parameter, converted as upstream's (queryBool); the first value counts, as there. */
  bool(name: string): boolean {
    return queryBool(this.q.get(name));
  }

  /** An int64 parameter (limit, timeoutSeconds, gracePeriodSeconds); Go's strconv wording on error. */
  int(name: string): number | undefined {
    const v = this.q.get(name);
    if (v === null || v === '') return undefined;
    if (!/^[+-]?\d+$/.test(v)) throw errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
    const n = BigInt(v);
    if (n > maxInt64 || n < -maxInt64 - 1n) throw errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
    return Number(n);
  }

  dryRun(): boolean {
    const vals = this.q.getAll('dryRun');
    for (const v of vals) {
      if (v !== 'All') throw errors.badRequest(`Invalid dry run value: ${JSON.stringify(v)}: supported values: "All"`);
    }
    return vals.length > 0;
  }

  fieldValidation(): FieldValidation {
    const v = this.q.get('fieldValidation');
    if (v === null || v === '') return 'Warn';
    if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
    throw errors.badRequest(`fieldValidation parameter unsupported: ${v}. Supported values: Ignore, Warn, Strict`);
  }

  /**
   * Upstream's ValidateFieldManager for Create/Update/PatchOptions: at most 128 bytes, printable
   * characters only (Go's unicode.IsPrint: no controls, formats or separators but the space).
   */
  checkFieldManager(optionsKind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): void {
    const v = this.q.get('fieldManager');
    if (v === null || v === '') return;
    const errs: FieldError[] = [];
    if (Buffer.byteLength(v) > 128) errs.push(fieldErr.tooLong('fieldManager', v, 128));
    for (const ch of v) {
      if (ch !== ' ' && /[\p{C}\p{Z}]/u.test(ch)) {
        errs.push(fieldErr.invalid('fieldManager', v, `invalid character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`));
      }
    }
    if (errs.length) throw errors.invalid('meta.k8s.io', optionsKind, '', errs);
  }
}
