// externalTrafficPolicy, healthCheckNodePort, internalTrafficPolicy and trafficDistribution.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { Service } from '../core.js';
import { isValidPortNum } from './names.js';
import { externallyAccessible, needsHealthCheck } from './service-helpers.js';

const validExternalTrafficPolicies = ['Cluster', 'Local'] as const;
const supportedInternalTrafficPolicies = ['Cluster', 'Local'] as const;

export function validateServiceExternalTrafficPolicy(svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const spec = svc.spec ?? {};
  const p = Path.root('spec');
  const etp = spec.externalTrafficPolicy ?? '';
  if (!externallyAccessible(svc)) {
    if (etp !== '') {
      errs.push(fieldErr.invalid(p.child('externalTrafficPolicy'), etp, 'may only be set for externally-accessible services'));
    }
  } else if (etp === '') {
    errs.push(fieldErr.required(p.child('externalTrafficPolicy'), ''));
  } else if (!(validExternalTrafficPolicies as readonly string[]).includes(etp)) {
    errs.push(fieldErr.notSupported(p.child('externalTrafficPolicy'), etp, validExternalTrafficPolicies));
  }
  const hc = spec.healthCheckNodePort ?? 0;
  if (!needsHealthCheck(svc)) {
    if (hc !== 0) {
      errs.push(
        fieldErr.invalid(
          p.child('healthCheckNodePort'),
          hc,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        ),
      );
    }
  } else if (hc === 0) {
    // The allocator fills it in before validation; a user may also pick one.
    errs.push(fieldErr.required(p.child('healthCheckNodePort'), ''));
  } else {
    for (const m of isValidPortNum(hc)) errs.push(fieldErr.invalid(p.child('healthCheckNodePort'), hc, m));
  }
  return errs;
}

/** While both old and new need a health check, its node port cannot move. */
export function validateServiceExternalTrafficFieldsUpdate(old: Service, svc: Service): FieldError[] {
  if (needsHealthCheck(old) && needsHealthCheck(svc) && (svc.spec?.healthCheckNodePort ?? 0) !== (old.spec?.healthCheckNodePort ?? 0)) {
    return [fieldErr.forbidden(Path.root('spec', 'healthCheckNodePort'), 'field is immutable')];
  }
  return [];
}

export function validateServiceInternalTrafficFieldsValue(svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const itp = svc.spec?.internalTrafficPolicy;
  const path = Path.root('spec', 'internalTrafficPolicy');
  if (itp === undefined || itp === null) {
    // Only required where defaulting sets it; ExternalName was never checked, so stays allowed.
    const t = svc.spec?.type;
    if (t === 'NodePort' || t === 'LoadBalancer' || t === 'ClusterIP') errs.push(fieldErr.required(path, ''));
  } else if (!(supportedInternalTrafficPolicies as readonly string[]).includes(itp)) {
    errs.push(fieldErr.notSupported(path, itp, supportedInternalTrafficPolicies));
  }
  return errs;
}

export function validateServiceTrafficDistribution(svc: Service): FieldError[] {
  const td = svc.spec?.trafficDistribution;
  if (td === undefined || td === null) return [];
  return td === 'PreferClose' ? [] : [fieldErr.notSupported(Path.root('spec', 'trafficDistribution'), td, ['PreferClose'])];
}
