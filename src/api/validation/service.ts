// ValidateService / ValidateServiceCreate / ValidateServiceUpdate / ValidateServiceStatusUpdate
// from pkg/apis/core/validation, in upstream's order so error lists compare one to one.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { Service } from '../core.js';
import { isValidIP, validateNonSpecialIP } from './ip.js';
import { validateLabels } from './labels.js';
import { isDNS1123Subdomain, nameIsDNS1035Label } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';
import {
  normalizeClusterIPs,
  validateServiceClusterIPsRelatedFields,
  validateUpgradeDowngradeClusterIPs,
  validateUpgradeDowngradeIPFamilies,
} from './service-clusterips.js';
import { isHeadlessService, MaxClientIPServiceAffinitySeconds } from './service-helpers.js';
import {
  validateAllocateLoadBalancerNodePorts,
  validateLoadBalancerClassField,
  validateLoadBalancerSourceRanges,
  validateLoadBalancerStatus,
} from './service-loadbalancer.js';
import { validateServicePorts, validateServicePortUniqueness } from './service-ports.js';
import {
  validateServiceExternalTrafficFieldsUpdate,
  validateServiceExternalTrafficPolicy,
  validateServiceInternalTrafficFieldsValue,
  validateServiceTrafficDistribution,
} from './service-traffic.js';

const supportedSessionAffinityTypes = ['ClientIP', 'None'] as const;
const supportedServiceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'] as const;
const AnnotationTopologyMode = 'service.kubernetes.io/topology-mode';
const DeprecatedAnnotationTopologyAwareHints = 'service.kubernetes.io/topology-aware-hints';

function validateClientIPAffinityConfig(svc: Service, path: Path): FieldError[] {
  const cfg = svc.spec?.sessionAffinityConfig;
  const why = 'when session affinity type is ClientIP';
  if (!cfg) return [fieldErr.required(path, why)];
  if (!cfg.clientIP) return [fieldErr.required(path.child('clientIP'), why)];
  const t = cfg.clientIP.timeoutSeconds;
  const tPath = path.child('clientIP').child('timeoutSeconds');
  if (t === undefined || t === null) return [fieldErr.required(tPath, why)];
  if (t <= 0 || t > MaxClientIPServiceAffinitySeconds) {
    return [fieldErr.invalid(tPath, t, `must be greater than 0 and less than ${MaxClientIPServiceAffinitySeconds}`)];
  }
  return [];
}

function validateTypeSpecific(svc: Service, specPath: Path): FieldError[] {
  const errs: FieldError[] = [];
  const spec = svc.spec ?? {};
  switch (spec.type) {
    case 'LoadBalancer':
      if (isHeadlessService(svc)) {
        errs.push(fieldErr.invalid(specPath.child('clusterIPs').index(0), 'None', "may not be set to 'None' for LoadBalancer services"));
      }
      break;
    case 'NodePort':
      if (isHeadlessService(svc)) {
        errs.push(fieldErr.invalid(specPath.child('clusterIPs').index(0), 'None', "may not be set to 'None' for NodePort services"));
      }
      break;
    case 'ExternalName': {
      if ((spec.clusterIPs ?? []).length > 0) {
        errs.push(fieldErr.forbidden(specPath.child('clusterIPs'), 'may not be set for ExternalName services'));
      }
      if ((spec.ipFamilies ?? []).length > 0) {
        errs.push(fieldErr.forbidden(specPath.child('ipFamilies'), 'may not be set for ExternalName services'));
      }
      if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) {
        errs.push(fieldErr.forbidden(specPath.child('ipFamilyPolicy'), 'may not be set for ExternalName services'));
      }
      // A CNAME may end in a dot to mark it fully qualified.
      const cname = (spec.externalName ?? '').replace(/\.$/, '');
      if (cname.length > 0) {
        for (const m of isDNS1123Subdomain(cname)) errs.push(fieldErr.invalid(specPath.child('externalName'), cname, m));
      } else {
        errs.push(fieldErr.required(specPath.child('externalName'), ''));
      }
      break;
    }
    default:
  }
  return errs;
}

/** ValidateService: the whole object on its own, after defaulting. */
export function validateService(svc: Service): FieldError[] {
  const metaPath = Path.root('metadata');
  const errs = validateObjectMeta(svc.metadata, true, nameIsDNS1035Label, metaPath);
  const annotations = svc.metadata?.annotations ?? {};
  const mode = annotations[AnnotationTopologyMode];
  const hints = annotations[DeprecatedAnnotationTopologyAwareHints];
  if (mode !== undefined && hints !== undefined && mode !== hints) {
    errs.push(
      fieldErr.invalid(
        metaPath.child('annotations').key(AnnotationTopologyMode),
        mode,
        `must match annotations[${DeprecatedAnnotationTopologyAwareHints}] when both are specified`,
      ),
    );
  }

  const spec = svc.spec ?? {};
  const specPath = Path.root('spec');
  if ((spec.ports ?? []).length === 0 && !isHeadlessService(svc) && spec.type !== 'ExternalName') {
    errs.push(fieldErr.required(specPath.child('ports'), ''));
  }
  errs.push(...validateTypeSpecific(svc, specPath));
  errs.push(...validateServicePorts(svc, specPath.child('ports')));

  if (spec.selector !== undefined && spec.selector !== null) errs.push(...validateLabels(spec.selector, specPath.child('selector')));

  const affinity = spec.sessionAffinity ?? '';
  if (affinity === '') errs.push(fieldErr.required(specPath.child('sessionAffinity'), ''));
  else if (!(supportedSessionAffinityTypes as readonly string[]).includes(affinity)) {
    errs.push(fieldErr.notSupported(specPath.child('sessionAffinity'), affinity, supportedSessionAffinityTypes));
  }
  if (affinity === 'ClientIP') {
    errs.push(...validateClientIPAffinityConfig(svc, specPath.child('sessionAffinityConfig')));
  } else if (affinity === 'None' && spec.sessionAffinityConfig !== undefined && spec.sessionAffinityConfig !== null) {
    errs.push(fieldErr.forbidden(specPath.child('sessionAffinityConfig'), 'must not be set when session affinity is None'));
  }

  errs.push(...validateServiceClusterIPsRelatedFields(svc));

  (spec.externalIPs ?? []).forEach((ip, i) => {
    const p = specPath.child('externalIPs').index(i);
    const e = isValidIP(p, ip);
    errs.push(...(e.length ? e : validateNonSpecialIP(ip, p)));
  });

  const type = spec.type ?? '';
  if (type === '') errs.push(fieldErr.required(specPath.child('type'), ''));
  else if (!(supportedServiceTypes as readonly string[]).includes(type)) {
    errs.push(fieldErr.notSupported(specPath.child('type'), type, supportedServiceTypes));
  }

  errs.push(...validateServicePortUniqueness(svc, specPath.child('ports')));
  errs.push(...validateLoadBalancerSourceRanges(svc));
  errs.push(...validateAllocateLoadBalancerNodePorts(svc));
  errs.push(...validateLoadBalancerClassField(undefined, svc));
  errs.push(...validateServiceExternalTrafficPolicy(svc));
  errs.push(...validateServiceInternalTrafficFieldsValue(svc));
  errs.push(...validateServiceTrafficDistribution(svc));
  return errs;
}

export function validateServiceCreate(svc: Service): FieldError[] {
  return validateService(svc);
}

/**
 * ValidateServiceUpdate. Upstream validates after the registry synced clusterIP into
 * clusterIPs; this does the same on a copy, so a changed clusterIP is reported on
 * `spec.clusterIPs[0]` ("may not change once set") whether or not the caller normalized.
 */
export function validateServiceUpdate(svc: Service, old: Service): FieldError[] {
  const cur = structuredClone(svc);
  normalizeClusterIPs(old, cur);
  const errs = validateObjectMetaUpdate(cur.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateUpgradeDowngradeClusterIPs(old, cur));
  errs.push(...validateUpgradeDowngradeIPFamilies(old, cur));
  errs.push(...validateLoadBalancerClassField(old, cur));
  errs.push(...validateServiceExternalTrafficFieldsUpdate(old, cur));
  errs.push(...validateService(cur));
  return errs;
}

export function validateServiceStatusUpdate(svc: Service, old: Service): FieldError[] {
  const errs = validateObjectMetaUpdate(svc.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateLoadBalancerStatus(svc, Path.root('status', 'loadBalancer')));
  return errs;
}
