// List and watch query options, checked as upstream checks them before any storage is touched:
// ValidateListOptions' rules (422 Invalid ListOptions.meta.k8s.io, the WatchList feature on as in
// 1.32), then the storage layer's resourceVersion and continue checks (400 BadRequest).
import { errors } from '../../machinery/status.js';
import { fieldErr, type FieldError } from '../../machinery/field.js';
import type { Params } from './params.js';
import { parseResourceVersion } from '../store/resource-version.js';

export type ResourceVersionMatch = 'Exact' | 'NotOlderThan';

export interface ListOptions {
  resourceVersion?: string;
  resourceVersionMatch?: ResourceVersionMatch;
  /** Present only when the client sent it (upstream's *bool: absent and false differ). */
  sendInitialEvents?: boolean;
  continue?: string;
  limit?: number;
}

const listMatches = ['Exact', 'NotOlderThan', ''];

export function listOptions(p: Params, watch: boolean): ListOptions {
  const rv = p.str('resourceVersion') ?? '';
  const match = p.str('resourceVersionMatch') ?? '';
  const cont = p.str('continue') ?? '';
  const sendInitialEvents = p.str('sendInitialEvents') === undefined ? undefined : p.bool('sendInitialEvents');
  const limit = p.int('limit');
  const errs: FieldError[] = [];
  if (watch) {
    if (sendInitialEvents !== undefined && match !== 'NotOlderThan') {
      errs.push(fieldErr.forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
    }
    if (match !== '') {
      if (sendInitialEvents === undefined) {
        errs.push(fieldErr.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
      }
      if (match !== 'NotOlderThan') errs.push(fieldErr.notSupported('resourceVersionMatch', match, ['NotOlderThan']));
      if (cont !== '') errs.push(fieldErr.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    }
  } else {
    if (match !== '') {
      if (rv === '') errs.push(fieldErr.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
      if (cont !== '') errs.push(fieldErr.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
      if (!listMatches.includes(match)) errs.push(fieldErr.notSupported('resourceVersionMatch', match, listMatches));
      if (match === 'Exact' && rv === '0') {
        errs.push(fieldErr.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
      }
    }
    if (sendInitialEvents !== undefined) errs.push(fieldErr.forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  }
  if (errs.length) throw errors.invalid('meta.k8s.io', 'ListOptions', '', errs);

  // What the storage layer refuses next, as 400s.
  if (rv !== '') parseResourceVersion(rv);
  if (cont !== '' && rv !== '' && rv !== '0') {
    throw errors.badRequest('specifying resource version is not allowed when using continue');
  }
  const out: ListOptions = {};
  if (rv !== '') out.resourceVersion = rv;
  if (match !== '') out.resourceVersionMatch = match as ResourceVersionMatch;
  if (sendInitialEvents !== undefined) out.sendInitialEvents = sendInitialEvents;
  if (cont !== '') out.continue = cont;
  if (limit !== undefined) out.limit = limit;
  return out;
}
