// Ingresses (NAME CLASS HOSTS ADDRESS PORTS AGE) and IngressClasses (NAME CONTROLLER PARAMETERS
// AGE), as upstream's printIngress and printIngressClass.
import type { Ingress, IngressClass, IngressRule } from '../../api/networking.js';
import { since } from './duration.js';
import { ageCol, col, nameCol, type Printer } from './types.js';

/** The first three hosts, `*` when no rule names one, `+ N more...` past three. */
function formatHosts(rules: IngressRule[]): string {
  const max = 3;
  const list: string[] = [];
  let more = false;
  for (const r of rules) {
    if (list.length === max) more = true;
    if (!more && r.host) list.push(r.host);
  }
  if (list.length === 0) return '*';
  const joined = list.join(',');
  return more ? `${joined} + ${rules.length - max} more...` : joined;
}

/** Load-balancer addresses, IPs then hostnames as they come; the server prints wide (no clipping). */
function formatAddress(ing: Ingress): string {
  const out: string[] = [];
  for (const lb of ing.status?.loadBalancer?.ingress ?? []) {
    if (lb.ip) out.push(lb.ip);
    else if (lb.hostname) out.push(lb.hostname);
  }
  return out.join(',');
}

export const ingressPrinter: Printer<Ingress> = {
  columns: [
    nameCol(),
    col('Class', 'string', 'The IngressClass this Ingress belongs to.'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against.'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer.'),
    col('Ports', 'string', 'Ports of TLS configurations that open.'),
    ageCol(),
  ],
  cells(ing, now) {
    return [
      ing.metadata.name ?? '',
      ing.spec?.ingressClassName ?? '<none>',
      formatHosts(ing.spec?.rules ?? []),
      formatAddress(ing),
      (ing.spec?.tls ?? []).length > 0 ? '80, 443' : '80',
      since(ing.metadata.creationTimestamp, now),
    ];
  },
};

export const ingressClassPrinter: Printer<IngressClass> = {
  columns: [
    nameCol(),
    col('Controller', 'string', 'Controller that is responsible for handling this class.'),
    col('Parameters', 'string', 'A reference to a resource with additional parameters.'),
    ageCol(),
  ],
  cells(ic, now) {
    const p = ic.spec?.parameters;
    let parameters = '<none>';
    if (p) parameters = `${p.kind ?? ''}${p.apiGroup ? `.${p.apiGroup}` : ''}/${p.name ?? ''}`;
    return [ic.metadata.name ?? '', ic.spec?.controller ?? '', parameters, since(ic.metadata.creationTimestamp, now)];
  },
};
