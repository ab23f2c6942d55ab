// certificates.k8s.io/v1 CertificateSigningRequest validation, as upstream's
// pkg/apis/certificates/validation: any name that is a path segment, a PEM certificate request, a signer name of the form
// example.com/path, known and unique usages, expirationSeconds of at least ten minutes, and
// conditions where Approved and Denied exclude each other and only ever hold "True". The request's
// signature and contents are checked by the signer, which marks a bad one Failed.
import type { CertificateSigningRequest } from '../certificates.js';
import { keyUsages } from '../certificates.js';
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import { isDNS1123Subdomain, pathSegmentNameProblems } from './names.js';
import { isFullyQualifiedDomainName } from './endpointslice.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';

const spec = Path.root('spec');
const status = Path.root('status');
const formatMsg = "must be a fully qualified domain and path of the form 'example.com/signer-name'";

/** ParseCSR's checks that need no parsing of the DER: one PEM block of type CERTIFICATE REQUEST. */
export function csrPEMProblem(request: string): string | undefined {
  const text = Buffer.from(request, 'base64').toString('latin1');
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]*?)-----END \1-----/.exec(text);
  if (!m) return 'PEM block type must be CERTIFICATE REQUEST';
  if (m[1] !== 'CERTIFICATE REQUEST') return 'PEM block type must be CERTIFICATE REQUEST';
  const der = Buffer.from(m[2]!.replace(/\s+/g, ''), 'base64');
  // A DER SEQUENCE: what x509.ParseCertificateRequest reads first.
  if (der.length < 2 || der[0] !== 0x30) return 'asn1: structure error: tags don\'t match';
  return undefined;
}

export function validateSignerName(path: Path, signerName: string | undefined): FieldError[] {
  if (!signerName) return [fieldErr.required(path, '')];
  const segments = signerName.split('/');
  if (segments.length !== 2) return [fieldErr.invalid(path, signerName, formatMsg)];
  const [domain, p] = segments as [string, string];
  const errs: FieldError[] = [];
  if (domain.length === 0) errs.push(fieldErr.invalid(path, signerName, formatMsg));
  else errs.push(...isFullyQualifiedDomainName(path, domain));
  if (p.length === 0) errs.push(fieldErr.invalid(path, signerName, 'validating path: must not be empty'));
  else {
    const max = 253 - domain.length - 1;
    if (p.length > max) errs.push(fieldErr.tooLong(path, signerName, max));
    else for (const msg of isDNS1123Subdomain(p.toLowerCase())) errs.push(fieldErr.invalid(path, signerName, `validating path ${JSON.stringify(p)}: ${msg}`));
  }
  return errs;
}

function validateSpec(csr: CertificateSigningRequest): FieldError[] {
  const s = csr.spec ?? ({} as CertificateSigningRequest['spec']);
  const errs: FieldError[] = [];
  if (!s.request) errs.push(fieldErr.required(spec.child('request'), ''));
  else {
    const problem = csrPEMProblem(s.request);
    if (problem) errs.push(fieldErr.invalid(spec.child('request'), s.request, problem));
  }
  const usages = s.usages ?? [];
  if (usages.length === 0) errs.push(fieldErr.required(spec.child('usages'), 'usages must be provided'));
  const seen = new Set<string>();
  usages.forEach((u, i) => {
    if (!(keyUsages as readonly string[]).includes(u)) errs.push(fieldErr.notSupported(spec.child('usages').index(i), u, [...keyUsages].sort()));
    else if (seen.has(u)) errs.push(fieldErr.duplicate(spec.child('usages').index(i), u));
    seen.add(u);
  });
  errs.push(...validateSignerName(spec.child('signerName'), s.signerName));
  if (s.expirationSeconds != null && s.expirationSeconds < 600) {
    errs.push(fieldErr.invalid(spec.child('expirationSeconds'), s.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  return errs;
}

function validateConditions(csr: CertificateSigningRequest): FieldError[] {
  const errs: FieldError[] = [];
  const path = status.child('conditions');
  const seen = new Set<string>();
  (csr.status?.conditions ?? []).forEach((c, i) => {
    const p = path.index(i);
    if (!c.type) errs.push(fieldErr.required(p.child('type'), ''));
    if (['Approved', 'Denied', 'Failed'].includes(c.type)) {
      if (seen.has(c.type)) errs.push(fieldErr.duplicate(p.child('type'), c.type));
      seen.add(c.type);
    }
    if (!c.status) errs.push(fieldErr.required(p.child('status'), ''));
    else if ((c.type === 'Approved' || c.type === 'Denied') && c.status !== 'True') errs.push(fieldErr.notSupported(p.child('status'), c.status, ['True']));
    else if (!['True', 'False', 'Unknown'].includes(c.status)) errs.push(fieldErr.notSupported(p.child('status'), c.status, ['False', 'True', 'Unknown']));
  });
  if (seen.has('Approved') && seen.has('Denied')) errs.push(fieldErr.invalid(path, csr.status?.conditions, 'Approved and Denied conditions are mutually exclusive'));
  return errs;
}

function validateCertificate(csr: CertificateSigningRequest): FieldError[] {
  const cert = csr.status?.certificate;
  if (!cert) return [];
  const text = Buffer.from(cert, 'base64').toString('latin1');
  if (!/-----BEGIN CERTIFICATE-----/.test(text)) return [fieldErr.invalid(status.child('certificate'), '<certificate data>', 'must contain at least one CERTIFICATE PEM block')];
  return [];
}

export function validateCertificateSigningRequest(csr: CertificateSigningRequest): FieldError[] {
  return [
    // Upstream cares nothing for a request's name beyond what storage can key it by.
    ...validateObjectMeta(csr.metadata, false, (name) => pathSegmentNameProblems(name), Path.root('metadata')),
    ...validateSpec(csr),
    ...validateConditions(csr),
    ...validateCertificate(csr),
  ];
}

export function validateCertificateSigningRequestUpdate(csr: CertificateSigningRequest, old: CertificateSigningRequest): FieldError[] {
  return [
    ...validateObjectMetaUpdate(csr.metadata, old.metadata, Path.root('metadata')),
    ...validateSpec(csr),
    ...validateConditions(csr),
    ...validateCertificate(csr),
  ];
}

/** /status may set the certificate once; it may not take it away or change it. */
export function validateCertificateSigningRequestStatusUpdate(csr: CertificateSigningRequest, old: CertificateSigningRequest): FieldError[] {
  const errs = validateCertificateSigningRequestUpdate(csr, old);
  const was = old.status?.certificate;
  if (was && csr.status?.certificate !== was) errs.push(fieldErr.invalid(status.child('certificate'), '<certificate data>', 'updates may not modify existing certificate content'));
  return errs;
}
