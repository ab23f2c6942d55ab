// networking.k8s.io ServiceCIDR and IPAddress (KEP-1880): the ranges ClusterIPs come from and
// one object per allocated ClusterIP. Rules and messages as upstream's networking validation.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { KubeObject } from '../meta.js';
import { isValidCIDR, isValidIP, parseCIDRSloppy } from './ip.js';
import { nameIsDNSSubdomain, pathSegmentNameProblems, isDNS1123Subdomain } from './names.js';
import { validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';

export interface ServiceCIDR extends KubeObject {
  spec?: { cidrs?: string[] };
  status?: { conditions?: unknown[] };
}

export interface ParentReference {
  group?: string;
  resource?: string;
  namespace?: string;
  name?: string;
}

export interface IPAddress extends KubeObject {
  spec?: { parentRef?: ParentReference };
}

/** The label the Service ClusterIP allocator puts on its IPAddresses (networking.k8s.io/v1 labels). */
export const managedByLabel = 'ipaddress.kubernetes.io/managed-by';
export const ipAllocatorManager = 'ipallocator.k8s.io';
export const ipFamilyLabel = 'ipaddress.kubernetes.io/ip-family';
/** The ServiceCIDR the API server creates from --service-cidr. */
export const defaultServiceCIDRName = 'kubernetes';

// An IPAddress is named by its address; IsValidIP's words, without the field path.
const ipAddressName = (name: string): string[] => isValidIP(Path.root(''), name).map((e) => e.detail ?? '');

function validateParentRef(ref: ParentReference | undefined, path: Path): FieldError[] {
  if (!ref) return [fieldErr.required(path.child('parentRef'), '')];
  const p = path.child('parentRef');
  const errs: FieldError[] = [];
  // The core group of Services is "", so group can not be required.
  if (ref.group) for (const m of isDNS1123Subdomain(ref.group)) errs.push(fieldErr.invalid(p.child('group'), ref.group, m));
  for (const f of ['resource', 'name'] as const) {
    const v = ref[f];
    if (!v) errs.push(fieldErr.required(p.child(f), ''));
    else for (const m of pathSegmentNameProblems(v)) errs.push(fieldErr.invalid(p.child(f), v, m));
  }
  if (ref.namespace) for (const m of pathSegmentNameProblems(ref.namespace)) errs.push(fieldErr.invalid(p.child('namespace'), ref.namespace, m));
  return errs;
}

export function validateIPAddress(ip: IPAddress): FieldError[] {
  const errs = validateObjectMeta(ip.metadata, false, ipAddressName, Path.root('metadata'));
  errs.push(...validateParentRef(ip.spec?.parentRef, Path.root('spec')));
  return errs;
}

export function validateIPAddressUpdate(ip: IPAddress, old: IPAddress): FieldError[] {
  const errs = validateObjectMetaUpdate(ip.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateImmutableField(ip.spec?.parentRef, old.spec?.parentRef, Path.root('spec').child('parentRef')));
  return errs;
}

export function validateServiceCIDR(sc: ServiceCIDR): FieldError[] {
  const errs = validateObjectMeta(sc.metadata, false, nameIsDNSSubdomain, Path.root('metadata'));
  const path = Path.root('spec', 'cidrs');
  const cidrs = sc.spec?.cidrs ?? [];
  if (cidrs.length === 0) return [...errs, fieldErr.required(path, 'at least one CIDR required')];
  if (cidrs.length > 2) return [...errs, fieldErr.invalid(path, sc.spec, 'may only hold up to 2 values')];
  if (cidrs.length === 2) {
    const [a, b] = cidrs.map((c) => parseCIDRSloppy(c));
    if (!a || !b || a.v4 === b.v4) {
      return [...errs, fieldErr.invalid(path, sc.spec, 'may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64')];
    }
  }
  cidrs.forEach((c, i) => errs.push(...isValidCIDR(path.index(i), c)));
  return errs;
}

export function validateServiceCIDRUpdate(sc: ServiceCIDR, old: ServiceCIDR): FieldError[] {
  const errs = validateObjectMetaUpdate(sc.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateImmutableField(sc.spec?.cidrs, old.spec?.cidrs, Path.root('spec').child('cidrs')));
  return errs;
}

export function validateServiceCIDRStatusUpdate(sc: ServiceCIDR, old: ServiceCIDR): FieldError[] {
  return validateObjectMetaUpdate(sc.metadata, old.metadata, Path.root('metadata'));
}
