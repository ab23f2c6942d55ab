// ValidateEndpointSliceCreate / ValidateEndpointSliceUpdate (pkg/apis/discovery/validation).
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import type { EndpointSlice } from '../discovery.js';
import { isValidIPv4Address, isValidIPv6Address, validateNonSpecialIP } from './ip.js';
import { validateLabels } from './labels.js';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, nameIsDNSSubdomain } from './names.js';
import { validateImmutableField, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';
import { supportedPortProtocols } from './service-ports.js';

const supportedAddressTypes = ['FQDN', 'IPv4', 'IPv6'] as const;
const maxTopologyLabels = 16;
const maxAddresses = 100;
const maxPorts = 20000;
const maxEndpoints = 1000;
const maxZoneHints = 8;

/** IsFullyQualifiedDomainName: a subdomain of at least two labels, trailing dot allowed. */
export function isFullyQualifiedDomainName(path: Path, name: string): FieldError[] {
  if (name.length === 0) return [fieldErr.required(path, '')];
  const n = name.replace(/\.$/, '');
  const msgs = isDNS1123Subdomain(n);
  if (msgs.length) return [fieldErr.invalid(path, n, msgs.join(','))];
  const labels = n.split('.');
  if (labels.length < 2) return [fieldErr.invalid(path, n, 'should be a domain with at least two segments separated by dots')];
  for (const l of labels) {
    const lm = isDNS1123Label(l);
    if (lm.length) return [fieldErr.invalid(path, l, lm.join(','))];
  }
  return [];
}

function validateEndpoints(slice: EndpointSlice, path: Path): FieldError[] {
  const endpoints = slice.endpoints ?? [];
  if (endpoints.length > maxEndpoints) return [fieldErr.tooMany(path, endpoints.length, maxEndpoints)];
  const errs: FieldError[] = [];
  endpoints.forEach((ep, i) => {
    const p = path.index(i);
    const ap = p.child('addresses');
    const addrs = ep.addresses ?? [];
    if (addrs.length === 0) errs.push(fieldErr.required(ap, 'must contain at least 1 address'));
    else if (addrs.length > maxAddresses) errs.push(fieldErr.tooMany(ap, addrs.length, maxAddresses));
    addrs.forEach((a, j) => {
      // Unknown address types fall through unvalidated, as upstream does.
      switch (slice.addressType) {
        case 'IPv4':
          errs.push(...isValidIPv4Address(ap.index(j), a), ...validateNonSpecialIP(a, ap.index(j)));
          break;
        case 'IPv6':
          errs.push(...isValidIPv6Address(ap.index(j), a), ...validateNonSpecialIP(a, ap.index(j)));
          break;
        case 'FQDN':
          errs.push(...isFullyQualifiedDomainName(ap.index(j), a));
          break;
        default:
      }
    });
    if (ep.nodeName !== undefined && ep.nodeName !== null) {
      for (const m of nameIsDNSSubdomain(ep.nodeName, false)) errs.push(fieldErr.invalid(p.child('nodeName'), ep.nodeName, m));
    }
    const topo = (ep as { deprecatedTopology?: Record<string, string> }).deprecatedTopology;
    if (Object.keys(topo ?? {}).length > maxTopologyLabels) {
      errs.push(fieldErr.tooMany(p.child('deprecatedTopology'), Object.keys(topo ?? {}).length, maxTopologyLabels));
    }
    errs.push(...validateLabels(topo, p.child('deprecatedTopology')));
    if (ep.hostname !== undefined && ep.hostname !== null) {
      for (const m of isDNS1123Label(ep.hostname)) errs.push(fieldErr.invalid(p.child('hostname'), ep.hostname, m));
    }
    const zones = ep.hints?.forZones ?? [];
    if (ep.hints) {
      const zp = p.child('hints').child('forZones');
      if (zones.length > maxZoneHints) errs.push(fieldErr.tooMany(zp, zones.length, maxZoneHints));
      const seen = new Set<string>();
      zones.forEach((z, j) => {
        const np = zp.index(j).child('name');
        if (seen.has(z.name)) errs.push(fieldErr.duplicate(np, z.name));
        else seen.add(z.name);
        for (const m of isValidLabelValue(z.name ?? '')) errs.push(fieldErr.invalid(np, z.name, m));
      });
    }
  });
  return errs;
}

function validatePorts(slice: EndpointSlice, path: Path): FieldError[] {
  const ports = slice.ports ?? [];
  if (ports.length > maxPorts) return [fieldErr.tooMany(path, ports.length, maxPorts)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port, i) => {
    const p = path.index(i);
    const name = port.name ?? '';
    if (name.length > 0) for (const m of isDNS1123Label(name)) errs.push(fieldErr.invalid(p.child('name'), name, m));
    if (names.has(name)) errs.push(fieldErr.duplicate(p.child('name'), name));
    else names.add(name);
    if (!port.protocol) errs.push(fieldErr.required(p.child('protocol'), ''));
    else if (!(supportedPortProtocols as readonly string[]).includes(port.protocol)) {
      errs.push(fieldErr.notSupported(p.child('protocol'), port.protocol, supportedPortProtocols));
    }
    if (port.appProtocol !== undefined && port.appProtocol !== null) {
      for (const m of isQualifiedName(port.appProtocol)) errs.push(fieldErr.invalid(p.child('appProtocol'), port.appProtocol, m));
    }
  });
  return errs;
}

function validateAddressType(t: string | undefined): FieldError[] {
  const path = Path.root('addressType');
  if (!t) return [fieldErr.required(path, '')];
  return (supportedAddressTypes as readonly string[]).includes(t) ? [] : [fieldErr.notSupported(path, t, supportedAddressTypes)];
}

export function validateEndpointSlice(slice: EndpointSlice): FieldError[] {
  const errs = validateObjectMeta(slice.metadata, true, nameIsDNSSubdomain, Path.root('metadata'));
  errs.push(...validateAddressType(slice.addressType));
  errs.push(...validateEndpoints(slice, Path.root('endpoints')));
  errs.push(...validatePorts(slice, Path.root('ports')));
  return errs;
}

export function validateEndpointSliceUpdate(slice: EndpointSlice, old: EndpointSlice): FieldError[] {
  const errs = validateObjectMetaUpdate(slice.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateEndpointSlice(slice));
  errs.push(...validateImmutableField(slice.addressType, old.addressType, Path.root('addressType')));
  return errs;
}
