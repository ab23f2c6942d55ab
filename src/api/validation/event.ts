// core/v1 Events get only upstream's legacy checks (ValidateEventCreate for v1 requests).
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { Event } from '../core.js';
import { isDNS1123Subdomain, isQualifiedName } from './names.js';

const ReportingInstanceLengthLimit = 128;
const ActionLengthLimit = 128;
const ReasonLengthLimit = 128;
const NoteLengthLimit = 1024;

export function validateEvent(ev: Event): FieldError[] {
  const errs: FieldError[] = [];
  const ns = ev.metadata?.namespace ?? '';
  const involvedNs = ev.involvedObject?.namespace ?? '';
  const nsPath = Path.root('involvedObject', 'namespace');
  if (!ev.eventTime) {
    // Old-style events: the event lives in its object's namespace ("default" tolerated for
    // cluster-scoped objects, as old clients did).
    if (involvedNs === '') {
      if (ns !== '' && ns !== 'default') errs.push(fieldErr.invalid(nsPath, involvedNs, 'does not match event.namespace'));
    } else if (ns !== involvedNs) {
      errs.push(fieldErr.invalid(nsPath, involvedNs, 'does not match event.namespace'));
    }
  } else {
    if (involvedNs === '' && ns !== 'default' && ns !== 'kube-system') {
      errs.push(fieldErr.invalid(nsPath, involvedNs, 'does not match event.namespace'));
    }
    const rc = ev.reportingComponent ?? '';
    if (rc === '') errs.push(fieldErr.required(Path.root('reportingController'), ''));
    for (const m of isQualifiedName(rc)) errs.push(fieldErr.invalid(Path.root('reportingController'), rc, m));
    const ri = ev.reportingInstance ?? '';
    if (ri === '') errs.push(fieldErr.required(Path.root('reportingInstance'), ''));
    if (ri.length > ReportingInstanceLengthLimit) {
      errs.push(fieldErr.invalid(Path.root('reportingInstance'), '', `can have at most ${ReportingInstanceLengthLimit} characters`));
    }
    const action = ev.action ?? '';
    if (action === '') errs.push(fieldErr.required(Path.root('action'), ''));
    if (action.length > ActionLengthLimit) errs.push(fieldErr.invalid(Path.root('action'), '', `can have at most ${ActionLengthLimit} characters`));
    const reason = ev.reason ?? '';
    if (reason === '') errs.push(fieldErr.required(Path.root('reason'), ''));
    if (reason.length > ReasonLengthLimit) errs.push(fieldErr.invalid(Path.root('reason'), '', `can have at most ${ReasonLengthLimit} characters`));
    if ((ev.message ?? '').length > NoteLengthLimit) {
      errs.push(fieldErr.invalid(Path.root('message'), '', `can have at most ${NoteLengthLimit} characters`));
    }
  }
  for (const m of isDNS1123Subdomain(ns)) errs.push(fieldErr.invalid(Path.root('namespace'), ns, m));
  return errs;
}
