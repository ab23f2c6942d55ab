// Kinds whose rows are a name, one or two plain fields and an age.
import type { Namespace } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';
import type { IPAddress, ServiceCIDR } from '../../api/validation/service-cidr.js';
import { humanDuration, since } from './duration.js';
import type { CertificateSigningRequest } from '../../api/certificates.js';
import { ageCol, col, nameCol, type Printer } from './types.js';

export const namespacePrinter: Printer<Namespace> = {
  columns: [nameCol(), col('Status', 'string', 'Active, or Terminating while its contents are deleted.'), ageCol()],
  cells(ns, now) {
    return [ns.metadata.name ?? '', ns.status?.phase ?? '', since(ns.metadata.creationTimestamp, now)];
  },
};

type Lease = KubeObject & { spec?: { holderIdentity?: string } };

export const leasePrinter: Printer<Lease> = {
  columns: [nameCol(), col('Holder', 'string', 'Who holds the lease right now.'), ageCol()],
  cells(l, now) {
    return [l.metadata.name ?? '', l.spec?.holderIdentity ?? '', since(l.metadata.creationTimestamp, now)];
  },
};

type ConfigMap = KubeObject & { data?: Record<string, string>; binaryData?: Record<string, string> };

export const configMapPrinter: Printer<ConfigMap> = {
  columns: [nameCol(), col('Data', 'string', 'Number of keys, text and binary.'), ageCol()],
  cells(cm, now) {
    const n = Object.keys(cm.data ?? {}).length + Object.keys(cm.binaryData ?? {}).length;
    return [cm.metadata.name ?? '', n, since(cm.metadata.creationTimestamp, now)];
  },
};

type Secret = KubeObject & { type?: string; data?: Record<string, string> };

export const secretPrinter: Printer<Secret> = {
  columns: [
    nameCol(),
    col('Type', 'string', 'The kind of secret, which fixes its expected keys.'),
    col('Data', 'string', 'Number of keys.'),
    ageCol(),
  ],
  cells(s, now) {
    return [s.metadata.name ?? '', s.type ?? '', Object.keys(s.data ?? {}).length, since(s.metadata.creationTimestamp, now)];
  },
};

type ServiceAccount = KubeObject & { secrets?: unknown[] };

export const serviceAccountPrinter: Printer<ServiceAccount> = {
  columns: [nameCol(), col('Secrets', 'string', 'Number of secrets listed on the account.'), ageCol()],
  cells(sa, now) {
    return [sa.metadata.name ?? '', (sa.secrets ?? []).length, since(sa.metadata.creationTimestamp, now)];
  },
};

export const serviceCIDRPrinter: Printer<ServiceCIDR> = {
  columns: [nameCol(), col('CIDRs', 'string', 'CIDRs defines the IP blocks in CIDR notation (e.g. "192.168.0.0/24" or "2001:db8::/64") from which to assign service cluster IPs.'), ageCol()],
  cells(sc, now) {
    return [sc.metadata.name ?? '', (sc.spec?.cidrs ?? []).join(','), since(sc.metadata.creationTimestamp, now)];
  },
};

/** Upstream prints parentRef as lower-case group-resource, namespace and name: "services/default/web". */
export const ipAddressPrinter: Printer<IPAddress> = {
  columns: [nameCol(), col('ParentRef', 'string', 'ParentRef references the resource that an IPAddress is attached to.')],
  cells(ip) {
    const ref = ip.spec?.parentRef;
    let parent = '<none>';
    if (ref) {
      parent = (ref.group ? `${ref.resource ?? ''}.${ref.group}` : ref.resource ?? '').toLowerCase();
      if (ref.namespace) parent += `/${ref.namespace}`;
      parent += `/${ref.name ?? ''}`;
    }
    return [ip.metadata.name ?? '', parent];
  },
};

/** extractCSRStatus: Denied or Approved or Pending, then Failed and Issued when they hold. */
function csrCondition(csr: CertificateSigningRequest): string {
  const has = (t: string) => (csr.status?.conditions ?? []).some((c) => c.type === t);
  let s = has('Denied') ? 'Denied' : has('Approved') ? 'Approved' : 'Pending';
  if (has('Failed')) s += ',Failed';
  if (csr.status?.certificate) s += ',Issued';
  return s;
}

export const certificateSigningRequestPrinter: Printer<CertificateSigningRequest> = {
  columns: [
    nameCol(),
    ageCol(),
    col('SignerName', 'string', 'The signer that is asked to sign the request.'),
    col('Requestor', 'string', 'Who created the request.'),
    col('RequestedDuration', 'string', 'How long the certificate is asked to be valid.'),
    col('Condition', 'string', 'Pending, Approved or Denied, and whether the certificate was issued.'),
  ],
  cells(csr, now) {
    const d = csr.spec?.expirationSeconds;
    return [
      csr.metadata.name ?? '',
      since(csr.metadata.creationTimestamp, now),
      csr.spec?.signerName ?? '',
      csr.spec?.username ?? '',
      d == null ? '<none>' : humanDuration(d * 1000),
      csrCondition(csr),
    ];
  },
};
