// ValidateEndpoints (create and update): addresses must be real, routable endpoint IPs.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { EndpointAddress, EndpointPort, Endpoints } from '../core.js';
import { isValidIP, validateNonSpecialIP } from './ip.js';
import { isDNS1123Label, isQualifiedName, isValidPortNum, nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';
import { supportedPortProtocols } from './service-ports.js';

function validateEndpointAddress(a: EndpointAddress, path: Path): FieldError[] {
  const errs = isValidIP(path.child('ip'), a.ip ?? '');
  if (a.hostname) for (const m of isDNS1123Label(a.hostname)) errs.push(fieldErr.invalid(path.child('hostname'), a.hostname, m));
  if (a.nodeName !== undefined && a.nodeName !== null) {
    for (const m of nameIsDNSSubdomain(a.nodeName, false)) errs.push(fieldErr.invalid(path.child('nodeName'), a.nodeName, m));
  }
  errs.push(...validateNonSpecialIP(a.ip ?? '', path.child('ip')));
  return errs;
}

function validateEndpointPort(p: EndpointPort, requireName: boolean, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (requireName && !p.name) errs.push(fieldErr.required(path.child('name'), ''));
  else if (p.name) for (const m of isDNS1123Label(p.name)) errs.push(fieldErr.invalid(path.child('name'), p.name, m));
  for (const m of isValidPortNum(p.port ?? 0)) errs.push(fieldErr.invalid(path.child('port'), p.port ?? 0, m));
  if (!p.protocol) errs.push(fieldErr.required(path.child('protocol'), ''));
  else if (!(supportedPortProtocols as readonly string[]).includes(p.protocol)) {
    errs.push(fieldErr.notSupported(path.child('protocol'), p.protocol, supportedPortProtocols));
  }
  if (p.appProtocol !== undefined && p.appProtocol !== null) {
    for (const m of isQualifiedName(p.appProtocol)) errs.push(fieldErr.invalid(path.child('appProtocol'), p.appProtocol, m));
  }
  return errs;
}

export function validateEndpoints(ep: Endpoints): FieldError[] {
  const errs = validateObjectMeta(ep.metadata, true, nameIsDNSSubdomain, Path.root('metadata'));
  (ep.subsets ?? []).forEach((ss, i) => {
    const p = Path.root('subsets').index(i);
    // A headless Service's endpoints may have no ports, but never no addresses.
    if ((ss.addresses ?? []).length === 0 && (ss.notReadyAddresses ?? []).length === 0) {
      errs.push(fieldErr.required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    (ss.addresses ?? []).forEach((a, j) => errs.push(...validateEndpointAddress(a, p.child('addresses').index(j))));
    (ss.notReadyAddresses ?? []).forEach((a, j) => errs.push(...validateEndpointAddress(a, p.child('notReadyAddresses').index(j))));
    const ports = ss.ports ?? [];
    ports.forEach((port, j) => errs.push(...validateEndpointPort(port, ports.length > 1, p.child('ports').index(j))));
  });
  return errs;
}

export function validateEndpointsUpdate(ep: Endpoints, old: Endpoints): FieldError[] {
  const errs = validateObjectMetaUpdate(ep.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateEndpoints(ep));
  return errs;
}
