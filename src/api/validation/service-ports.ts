// spec.ports of a Service: names, numbers, protocols, targetPort, appProtocol, duplicates.
import { fieldErr, type FieldError, type Path } from '../../machinery/field.js';
import type { Service, ServicePort } from '../core.js';
import { isDNS1123Label, isQualifiedName, isValidPortNum } from './names.js';
import { validatePortNumOrName } from './port.js';

export const supportedPortProtocols = ['SCTP', 'TCP', 'UDP'] as const;

function validateServicePort(sp: ServicePort, requireName: boolean, names: Set<string>, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const name = sp.name ?? '';
  if (requireName && name.length === 0) {
    errs.push(fieldErr.required(path.child('name'), ''));
  } else if (name.length !== 0) {
    for (const m of isDNS1123Label(name)) errs.push(fieldErr.invalid(path.child('name'), name, m));
    if (names.has(name)) errs.push(fieldErr.duplicate(path.child('name'), name));
    else names.add(name);
  }
  const port = sp.port ?? 0;
  for (const m of isValidPortNum(port)) errs.push(fieldErr.invalid(path.child('port'), port, m));
  if (!sp.protocol) errs.push(fieldErr.required(path.child('protocol'), ''));
  else if (!(supportedPortProtocols as readonly string[]).includes(sp.protocol)) {
    errs.push(fieldErr.notSupported(path.child('protocol'), sp.protocol, supportedPortProtocols));
  }
  errs.push(...validatePortNumOrName(sp.targetPort, path.child('targetPort')));
  if (sp.appProtocol !== undefined && sp.appProtocol !== null) {
    for (const m of isQualifiedName(sp.appProtocol)) errs.push(fieldErr.invalid(path.child('appProtocol'), sp.appProtocol, m));
  }
  return errs;
}

/** Every port; a name is required on each as soon as there is more than one port. */
export function validateServicePorts(svc: Service, portsPath: Path): FieldError[] {
  const ports = svc.spec?.ports ?? [];
  const names = new Set<string>();
  const errs: FieldError[] = [];
  ports.forEach((p, i) => errs.push(...validateServicePort(p ?? ({} as ServicePort), ports.length > 1, names, portsPath.index(i))));
  return errs;
}

/** nodePort only on NodePort/LoadBalancer; duplicates by (protocol, nodePort) and (protocol, port). */
export function validateServicePortUniqueness(svc: Service, portsPath: Path): FieldError[] {
  const ports = (svc.spec?.ports ?? []).map((p) => p ?? ({} as ServicePort));
  const errs: FieldError[] = [];
  if (svc.spec?.type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if ((p.nodePort ?? 0) !== 0) {
        errs.push(fieldErr.forbidden(portsPath.index(i).child('nodePort'), "may not be used when `type` is 'ClusterIP'"));
      }
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((p, i) => {
    if (!p.nodePort) return;
    const key = `${p.protocol ?? ''}/${p.nodePort}`;
    if (nodePorts.has(key)) errs.push(fieldErr.duplicate(portsPath.index(i).child('nodePort'), p.nodePort));
    nodePorts.add(key);
  });
  const seen = new Set<string>();
  ports.forEach((p, i) => {
    const key = `${p.protocol ?? ''}/${p.port ?? 0}`;
    // Upstream prints the (protocol, port) key it compared; its Go struct form has no JSON twin.
    if (seen.has(key)) errs.push(fieldErr.duplicate(portsPath.index(i), { protocol: p.protocol ?? '', port: p.port ?? 0 }));
    seen.add(key);
  });
  return errs;
}
