// certificates.k8s.io/v1 CertificateSigningRequest: a client asks for a certificate by posting a
// PKCS#10 request naming a signer; someone allowed to approve for that signer adds the Approved
// condition (/approval), and the signer writes the certificate (/status). Nodes get their client
// and serving certificates this way when they join.
import type { KubeObject } from './meta.js';

export const kubeAPIServerClientSigner = 'kubernetes.io/kube-apiserver-client';
export const kubeAPIServerClientKubeletSigner = 'kubernetes.io/kube-apiserver-client-kubelet';
export const kubeletServingSigner = 'kubernetes.io/kubelet-serving';
export const legacyUnknownSigner = 'kubernetes.io/legacy-unknown';

export const keyUsages = [
  'signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment',
  'cert sign', 'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing',
  'email protection', 's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing',
  'microsoft sgc', 'netscape sgc',
] as const;

export type CSRConditionType = 'Approved' | 'Denied' | 'Failed' | string;

export interface CertificateSigningRequestCondition {
  type: CSRConditionType;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface CertificateSigningRequest extends KubeObject {
  spec: {
    /** PEM of the PKCS#10 request, base64 in JSON. */
    request: string;
    signerName: string;
    expirationSeconds?: number;
    usages?: string[];
    username?: string;
    uid?: string;
    groups?: string[];
    extra?: Record<string, string[]>;
  };
  status?: {
    conditions?: CertificateSigningRequestCondition[];
    /** PEM of the issued certificate, base64 in JSON. */
    certificate?: string;
  };
}

export const hasCondition = (csr: CertificateSigningRequest, type: CSRConditionType) =>
  (csr.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');

export const isApproved = (csr: CertificateSigningRequest) => hasCondition(csr, 'Approved');
export const isDenied = (csr: CertificateSigningRequest) => hasCondition(csr, 'Denied');
export const isFailed = (csr: CertificateSigningRequest) => hasCondition(csr, 'Failed');
/** Issued, denied or failed: nothing more will happen to it. */
export const isFinished = (csr: CertificateSigningRequest) => isDenied(csr) || isFailed(csr) || !!csr.status?.certificate;
