// Probes and their handlers (validateProbe / validateHandler): exactly one handler each.
import { fieldErr, type FieldError, type Path } from '../../machinery/field.js';
import type { Probe } from '../core.js';
import { isHTTPHeaderName } from './names.js';
import { validateNonnegativeField } from './objectmeta.js';
import { validatePortNumOrName } from './port.js';

type Handler = Pick<Probe, 'exec' | 'httpGet' | 'tcpSocket' | 'grpc'> & { sleep?: { seconds?: number } };

export function validateHandler(h: Handler, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  let n = 0;
  const one = (key: string, present: boolean, check: () => FieldError[]): void => {
    if (!present) return;
    if (n > 0) errs.push(fieldErr.forbidden(path.child(key), 'may not specify more than 1 handler type'));
    else {
      n++;
      errs.push(...check());
    }
  };
  one('exec', !!h.exec, () => ((h.exec?.command ?? []).length === 0 ? [fieldErr.required(path.child('exec').child('command'), '')] : []));
  one('httpGet', !!h.httpGet, () => {
    const g = h.httpGet!;
    const p = path.child('httpGet');
    const e: FieldError[] = [];
    if (!g.path) e.push(fieldErr.required(p.child('path'), ''));
    e.push(...validatePortNumOrName(g.port, p.child('port')));
    if (g.scheme !== 'HTTP' && g.scheme !== 'HTTPS') e.push(fieldErr.notSupported(p.child('scheme'), g.scheme ?? '', ['HTTP', 'HTTPS']));
    for (const hd of g.httpHeaders ?? []) for (const m of isHTTPHeaderName(hd.name ?? '')) e.push(fieldErr.invalid(p.child('httpHeaders'), hd.name, m));
    return e;
  });
  one('tcpSocket', !!h.tcpSocket, () => validatePortNumOrName(h.tcpSocket!.port, path.child('tcpSocket').child('port')));
  one('grpc', !!h.grpc, () => validatePortNumOrName(h.grpc!.port ?? 0, path.child('grpc').child('port')));
  one('sleep', !!h.sleep, () => []);
  if (n === 0) errs.push(fieldErr.required(path, 'must specify a handler type'));
  return errs;
}

function validateProbe(probe: Probe, path: Path): FieldError[] {
  const errs = validateHandler(probe, path);
  errs.push(...validateNonnegativeField(probe.initialDelaySeconds, path.child('initialDelaySeconds')));
  errs.push(...validateNonnegativeField(probe.timeoutSeconds, path.child('timeoutSeconds')));
  errs.push(...validateNonnegativeField(probe.periodSeconds, path.child('periodSeconds')));
  errs.push(...validateNonnegativeField(probe.successThreshold, path.child('successThreshold')));
  errs.push(...validateNonnegativeField(probe.failureThreshold, path.child('failureThreshold')));
  const tgps = probe.terminationGracePeriodSeconds;
  if (tgps !== undefined && tgps !== null && tgps <= 0) {
    errs.push(fieldErr.invalid(path.child('terminationGracePeriodSeconds'), tgps, 'must be greater than 0'));
  }
  return errs;
}

/** Liveness and startup probes must succeed once to count: successThreshold is fixed at 1. */
export function validateLivenessOrStartupProbe(probe: Probe | undefined, path: Path): FieldError[] {
  if (!probe) return [];
  const errs = validateProbe(probe, path);
  if ((probe.successThreshold ?? 0) !== 1) errs.push(fieldErr.invalid(path.child('successThreshold'), probe.successThreshold ?? 0, 'must be 1'));
  return errs;
}

export function validateReadinessProbe(probe: Probe | undefined, path: Path): FieldError[] {
  if (!probe) return [];
  const errs = validateProbe(probe, path);
  if (probe.terminationGracePeriodSeconds !== undefined && probe.terminationGracePeriodSeconds !== null) {
    errs.push(fieldErr.invalid(path.child('terminationGracePeriodSeconds'), probe.terminationGracePeriodSeconds, 'must not be set for readinessProbes'));
  }
  return errs;
}
