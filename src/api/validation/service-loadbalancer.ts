// LoadBalancer-only fields: source ranges, allocateLoadBalancerNodePorts, loadBalancerClass,
// and the status.loadBalancer a controller writes.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { Service } from '../core.js';
import { isValidCIDR, isValidIP, parseIPSloppy } from './ip.js';
import { isDNS1123Subdomain, isQualifiedName } from './names.js';

export const AnnotationLoadBalancerSourceRangesKey = 'service.beta.kubernetes.io/load-balancer-source-ranges';

export function validateLoadBalancerSourceRanges(svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const ranges = svc.spec?.loadBalancerSourceRanges ?? [];
  const isLB = svc.spec?.type === 'LoadBalancer';
  if (ranges.length > 0) {
    // Upstream spells this path with a capital L; kubectl users see exactly that.
    const path = Path.root('spec', 'LoadBalancerSourceRanges');
    if (!isLB) errs.push(fieldErr.forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    // Values may be space-padded: a leftover of the annotation they replaced.
    ranges.forEach((v, i) => errs.push(...isValidCIDR(path.index(i), String(v).trim())));
    return errs;
  }
  const annotations = svc.metadata?.annotations ?? {};
  if (Object.prototype.hasOwnProperty.call(annotations, AnnotationLoadBalancerSourceRangesKey)) {
    const path = Path.root('metadata', 'annotations').key(AnnotationLoadBalancerSourceRangesKey);
    if (!isLB) errs.push(fieldErr.forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
    const val = (annotations[AnnotationLoadBalancerSourceRangesKey] ?? '').trim();
    if (val !== '') for (const v of val.split(',')) errs.push(...isValidCIDR(path, v.trim()));
  }
  return errs;
}

export function validateAllocateLoadBalancerNodePorts(svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const v = svc.spec?.allocateLoadBalancerNodePorts;
  const isLB = svc.spec?.type === 'LoadBalancer';
  if (v !== undefined && v !== null && !isLB) {
    errs.push(fieldErr.forbidden(Path.root('spec', 'allocateLoadBalancerNodePorts'), "may only be used when `type` is 'LoadBalancer'"));
  }
  // Upstream reports this one without the `spec.` prefix; kept for identical output.
  if (isLB && (v === undefined || v === null)) errs.push(fieldErr.required(Path.root('allocateLoadBalancerNodePorts'), ''));
  return errs;
}

/** loadBalancerClass: LoadBalancer only, a qualified name, and fixed while the type stays LoadBalancer. */
export function validateLoadBalancerClassField(old: Service | undefined, svc: Service): FieldError[] {
  const errs: FieldError[] = [];
  const path = Path.root('spec', 'loadBalancerClass');
  const cls = svc.spec?.loadBalancerClass ?? null;
  const isLB = svc.spec?.type === 'LoadBalancer';
  if (old && old.spec?.type === 'LoadBalancer' && isLB && (old.spec?.loadBalancerClass ?? null) !== cls) {
    errs.push(fieldErr.invalid(path, cls, 'may not change once set'));
  }
  if (isLB) {
    if (cls !== null) for (const m of isQualifiedName(cls)) errs.push(fieldErr.invalid(path, cls, m));
  } else if (cls !== null) {
    errs.push(fieldErr.forbidden(path, "may only be used when `type` is 'LoadBalancer'"));
  }
  return errs;
}

const supportedLoadBalancerIPModes = ['Proxy', 'VIP'] as const;

export function validateLoadBalancerStatus(svc: Service, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const ingress = svc.status?.loadBalancer?.ingress ?? [];
  const ingPath = path.child('ingress');
  if (svc.spec?.type !== 'LoadBalancer' && ingress.length !== 0) {
    return [fieldErr.forbidden(ingPath, "may only be used when `spec.type` is 'LoadBalancer'")];
  }
  ingress.forEach((ing, i) => {
    const p = ingPath.index(i);
    const ip = ing.ip ?? '';
    if (ip.length > 0) errs.push(...isValidIP(p.child('ip'), ip));
    if (ing.ipMode === undefined || ing.ipMode === null) {
      if (ip.length > 0) errs.push(fieldErr.required(p.child('ipMode'), 'must be specified when `ip` is set'));
    } else if (ip.length === 0) {
      errs.push(fieldErr.forbidden(p.child('ipMode'), 'may not be specified when `ip` is not set'));
    } else if (!(supportedLoadBalancerIPModes as readonly string[]).includes(ing.ipMode)) {
      errs.push(fieldErr.notSupported(p.child('ipMode'), ing.ipMode, supportedLoadBalancerIPModes));
    }
    const host = ing.hostname ?? '';
    if (host.length > 0) {
      for (const m of isDNS1123Subdomain(host)) errs.push(fieldErr.invalid(p.child('hostname'), host, m));
      if (parseIPSloppy(host)) errs.push(fieldErr.invalid(p.child('hostname'), host, 'must be a DNS name, not an IP address'));
    }
  });
  return errs;
}
