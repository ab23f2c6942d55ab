// DeleteOptions from a DELETE's body and query, decoded and validated as upstream's delete
// handler and ValidateDeleteOptions do; the query's propagationPolicy, gracePeriodSeconds and
// dryRun win over the body's.
import { goJsonKind } from '../../machinery/goformat.js';
import type { FieldError } from '../../machinery/field.js';
import { errors } from '../../machinery/status.js';
import type { Params } from '../http/params.js';
import { decodeDeleteOptions } from '../http/typed-body.js';
import type { DeleteOptions } from '../store/store.js';

/** `value` is the decoded body, undefined when there was none. */
export function deleteOptions(value: unknown, p: Params): DeleteOptions & { dryRun: boolean } {
  let body: Record<string, unknown> = {};
  if (value !== undefined) {
    // A body that is not a DeleteOptions must not be read as "no options": the delete would go
    // ahead with defaults the client never asked for.
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw errors.badRequest(`json: cannot unmarshal ${goJsonKind(value)} into Go value of type v1.DeleteOptions`);
    }
    const kind = (value as Record<string, unknown>).kind;
    if (kind !== undefined && kind !== 'DeleteOptions') throw errors.badRequest('decoded object cannot be converted to DeleteOptions');
    body = decodeDeleteOptions(value as Record<string, unknown>);
  }
  const policy = (p.str('propagationPolicy') ?? body.propagationPolicy) as DeleteOptions['propagationPolicy'] | undefined;
  // Upstream's ValidateDeleteOptions.
  const causes: FieldError[] = [];
  if (policy !== undefined && body.orphanDependents !== undefined && body.orphanDependents !== null) {
    causes.push({ type: 'FieldValueInvalid', field: 'propagationPolicy', badValue: policy, detail: 'orphanDependents and deletionPropagation cannot be both set' });
  }
  if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
    causes.push({ type: 'FieldValueNotSupported', field: 'propagationPolicy', badValue: policy, detail: 'supported values: "Foreground", "Background", "Orphan", "nil"' });
  }
  const dryRuns = Array.isArray(body.dryRun) ? (body.dryRun as unknown[]) : [];
  if (dryRuns.some((d) => d !== 'All')) {
    causes.push({ type: 'FieldValueNotSupported', field: 'dryRun', badValue: dryRuns, detail: 'supported values: "All"' });
  }
  if (causes.length) throw errors.invalid('meta.k8s.io', 'DeleteOptions', '', causes);
  const grace = p.int('gracePeriodSeconds') ?? (body.gracePeriodSeconds as number | undefined);
  const opts: DeleteOptions & { dryRun: boolean } = {
    dryRun: p.dryRun() || (Array.isArray(body.dryRun) && body.dryRun.includes('All')),
  };
  if (policy) opts.propagationPolicy = policy;
  if (grace !== undefined) opts.gracePeriodSeconds = grace;
  if (body.preconditions && typeof body.preconditions === 'object') {
    opts.preconditions = body.preconditions as DeleteOptions['preconditions'] & object;
  }
  if (body.orphanDependents === true && !policy) opts.propagationPolicy = 'Orphan';
  return opts;
}
