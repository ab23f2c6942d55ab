// coordination.k8s.io Lease (ValidateLease / ValidateLeaseUpdate).
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { KubeObject } from '../meta.js';
import { isQualifiedName, nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
  strategy?: string;
  preferredHolder?: string;
}

export interface Lease extends KubeObject {
  spec?: LeaseSpec;
}

const validLeaseStrategies = ['OldestEmulationVersion'];

function validateLeaseSpec(spec: LeaseSpec | undefined, path: Path): FieldError[] {
  const s = spec ?? {};
  const errs: FieldError[] = [];
  if (s.leaseDurationSeconds !== undefined && s.leaseDurationSeconds !== null && s.leaseDurationSeconds <= 0) {
    errs.push(fieldErr.invalid(path.child('leaseDurationSeconds'), s.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (s.leaseTransitions !== undefined && s.leaseTransitions !== null && s.leaseTransitions < 0) {
    errs.push(fieldErr.invalid(path.child('leaseTransitions'), s.leaseTransitions, 'must be greater than or equal to 0'));
  }
  if (s.strategy !== undefined && s.strategy !== null) {
    // Upstream nests the child name once more, hence spec.strategy.strategy.
    const sp = path.child('strategy').child('strategy');
    if (!s.strategy.includes('/')) {
      if (!validLeaseStrategies.includes(s.strategy)) errs.push(fieldErr.notSupported(sp, s.strategy, validLeaseStrategies));
    } else {
      for (const m of isQualifiedName(s.strategy)) errs.push(fieldErr.invalid(sp, s.strategy, m));
    }
  }
  if (s.preferredHolder && !s.strategy) {
    errs.push(fieldErr.forbidden(path.child('preferredHolder'), 'may only be specified if `strategy` is defined'));
  }
  return errs;
}

export function validateLease(lease: Lease): FieldError[] {
  const errs = validateObjectMeta(lease.metadata, true, nameIsDNSSubdomain, Path.root('metadata'), false);
  errs.push(...validateLeaseSpec(lease.spec, Path.root('spec')));
  return errs;
}

export function validateLeaseUpdate(lease: Lease, old: Lease): FieldError[] {
  const errs = validateObjectMetaUpdate(lease.metadata, old.metadata, Path.root('metadata'), false);
  errs.push(...validateLeaseSpec(lease.spec, Path.root('spec')));
  return errs;
}
