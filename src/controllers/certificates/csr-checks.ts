// What the CSR approver and signer require of a node's requests (upstream's
// pkg/apis/certificates/v1 ValidateKubeletClientCSR / ValidateKubeletServingCSR and the
// kube-apiserver-client signer's usage rule), in upstream's words.
import type { CertificateSigningRequest } from '../../api/certificates.js';
import type { CertificateRequestInfo } from '../../apiserver/pki.js';

const nodeUserPrefix = 'system:node:';
const nodesGroup = 'system:nodes';

function usagesWithin(csr: CertificateSigningRequest, allowed: string[], required: string[]): string | undefined {
  const usages = csr.spec.usages ?? [];
  if (usages.some((u) => !allowed.includes(u)) || required.some((u) => !usages.includes(u))) return `usages did not match [${[...allowed].sort().join(' ')}]`;
  return undefined;
}

function nodeSubject(info: CertificateRequestInfo): string | undefined {
  if (info.organizations.length !== 1 || info.organizations[0] !== nodesGroup) return 'subject organization is not system:nodes';
  if (!info.commonName.startsWith(nodeUserPrefix)) return 'subject common name does not begin with system:node:';
  return undefined;
}

/** A kubelet's client certificate request: CN=system:node:<name>, O=system:nodes, no SANs, client usages. */
export function kubeletClientProblem(csr: CertificateSigningRequest, info: CertificateRequestInfo): string | undefined {
  return (
    nodeSubject(info) ??
    (info.dnsNames.length ? 'DNS subjectAltNames are not allowed' : undefined) ??
    (info.emailAddresses.length ? 'Email subjectAltNames are not allowed' : undefined) ??
    (info.ipAddresses.length ? 'IP subjectAltNames are not allowed' : undefined) ??
    (info.uris.length ? 'URI subjectAltNames are not allowed' : undefined) ??
    usagesWithin(csr, ['key encipherment', 'digital signature', 'client auth'], ['digital signature', 'client auth'])
  );
}

/** A kubelet's serving certificate request: node subject, a DNS or IP name, server usages. */
export function kubeletServingProblem(csr: CertificateSigningRequest, info: CertificateRequestInfo): string | undefined {
  return (
    nodeSubject(info) ??
    (info.dnsNames.length + info.ipAddresses.length === 0 ? 'DNS or IP subjectAltName is required' : undefined) ??
    (info.emailAddresses.length ? 'Email subjectAltNames are not allowed' : undefined) ??
    (info.uris.length ? 'URI subjectAltNames are not allowed' : undefined) ??
    usagesWithin(csr, ['key encipherment', 'digital signature', 'server auth'], ['digital signature', 'server auth'])
  );
}

/** Any client of the API server: client usages only. */
export function apiServerClientProblem(csr: CertificateSigningRequest): string | undefined {
  return usagesWithin(csr, ['key encipherment', 'digital signature', 'client auth'], ['client auth']);
}

/** The request's PEM from the object (base64 in JSON). */
export const requestPEM = (csr: CertificateSigningRequest) => Buffer.from(csr.spec.request, 'base64').toString('utf8');
