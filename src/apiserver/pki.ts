// The cluster's certificates, kubeadm-style: a CA, the API server's serving certificate and the
// admin client certificate (kubeadm 1.29+'s admin.conf identity: CN=kubernetes-admin in group
// kubeadm:cluster-admins), kept in DIR/pki/ so a restarted cluster keeps trusting the kubeconfig
// it wrote before. ECDSA P-256 keeps generation in milliseconds.
//
// The CA key is read and used here only: it is not in what ensurePki returns, nor in any
// kubeconfig, and DIR/pki/ is 0700 with 0600 keys. That keeps it from other users of the machine;
// processes of the same user (pods in loopback mode are such processes) can still read it.
import { webcrypto, createHash, createPrivateKey, generateKeyPair, KeyObject, X509Certificate as NodeX509 } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type * as X509 from '@peculiar/x509';
import { clusterAdminsGroup, clusterAdminUser } from './auth/user.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

let x509Module: Promise<typeof X509> | undefined;

/**
 * Loads @peculiar/x509 on first need: loading it costs more than generating everything
 * (~150 ms against ~50 ms), and a restart that reuses DIR/pki/ never needs it. It loads after
 * the polyfill because its dependency injection (tsyringe) refuses to load without a Reflect
 * metadata API, and the project does not ship reflect-metadata.
 */
function loadX509(): Promise<typeof X509> {
  return (x509Module ??= (async () => {
    installReflectMetadata();
    const m: typeof X509 = await import('@peculiar/x509');
    m.cryptoProvider.set(webcrypto as unknown as Parameters<typeof m.cryptoProvider.set>[0]);
    return m;
  })());
}

/** The part of the reflect-metadata API that tsyringe and tslib's __metadata use. */
function installReflectMetadata(): void {
  type MetadataReflect = typeof Reflect & Record<string, unknown>;
  const R = Reflect as MetadataReflect;
  if (typeof R['getMetadata'] === 'function') return;
  const store = new WeakMap<object, Map<string | symbol | undefined, Map<unknown, unknown>>>();
  const table = (target: object, prop: string | symbol | undefined, create: boolean) => {
    let byProp = store.get(target);
    if (!byProp && create) store.set(target, (byProp = new Map()));
    let m = byProp?.get(prop);
    if (!m && create && byProp) byProp.set(prop, (m = new Map()));
    return m;
  };
  const defineMetadata = (key: unknown, value: unknown, target: object, prop?: string | symbol) =>
    table(target, prop, true)!.set(key, value);
  const getOwnMetadata = (key: unknown, target: object, prop?: string | symbol) => table(target, prop, false)?.get(key);
  const getMetadata = (key: unknown, target: object, prop?: string | symbol): unknown => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
      const m = table(t, prop, false);
      if (m?.has(key)) return m.get(key);
    }
    return undefined;
  };
  Object.assign(R, {
    defineMetadata,
    getOwnMetadata,
    getMetadata,
    hasMetadata: (key: unknown, target: object, prop?: string | symbol) => getMetadata(key, target, prop) !== undefined,
    hasOwnMetadata: (key: unknown, target: object, prop?: string | symbol) => table(target, prop, false)?.has(key) ?? false,
    metadata: (key: unknown, value: unknown) => (target: object, prop?: string | symbol) => defineMetadata(key, value, target, prop),
  });
}

export interface PkiOptions {
  /** Extra names the serving certificate must cover (node IPs, hostnames). */
  sans: { dns: string[]; ips: string[] };
}

/** What the API server and the admin kubeconfig need; the CA key stays inside this module. */
export interface Pki {
  caCert: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  /** kubeadm's apiserver-kubelet-client: how the API server proves itself to kubelets. */
  kubeletClientCert: string;
  kubeletClientKey: string;
}

/** kubeadm's identity for the API server at kubelets (a cluster admin, so kubelets let it do all). */
export const kubeletClientUser = 'kube-apiserver-kubelet-client';

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const signing = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY = 24 * 3600 * 1000;
const CA_VALIDITY = 3650 * DAY;
const LEAF_VALIDITY = 365 * DAY;
/** Certificates this close to expiry are replaced rather than reused. */
const RENEW_BEFORE = DAY;
/** Covers small clock differences between the machines of a multi-node cluster. */
const BACKDATE = 5 * 60 * 1000;

/** Names every kube-apiserver serving certificate carries (kubeadm's list plus loopback). */
export const defaultServingSANs = {
  dns: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
  ips: ['127.0.0.1', '::1'],
};

const files = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  servingCert: 'apiserver.crt',
  servingKey: 'apiserver.key',
  adminCert: 'admin.crt',
  adminKey: 'admin.key',
  kubeletClientCert: 'apiserver-kubelet-client.crt',
  kubeletClientKey: 'apiserver-kubelet-client.key',
  serviceAccountKey: 'sa.key',
  serviceAccountPub: 'sa.pub',
} as const satisfies Record<keyof Pki | 'caKey' | 'serviceAccountKey' | 'serviceAccountPub', string>;
type PkiFile = keyof typeof files;

type KeyPair = { keyPem: string; keys: CryptoKeyPair };

/**
 * Loads DIR/pki/ and keeps what is still valid, or generates what is missing: a new CA
 * re-issues everything, changed SANs re-issue only the serving certificate.
 */
export async function ensurePki(dir: string, opts: PkiOptions): Promise<Pki> {
  const pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  keepPrivate(pkiDir);
  const sans = {
    dns: unique([...defaultServingSANs.dns, ...opts.sans.dns]),
    ips: unique([...defaultServingSANs.ips, ...opts.sans.ips]),
  };
  const existing = readExisting(pkiDir);

  let ca: { certPem: string; keyPem: string; cert: NodeX509 } | undefined;
  if (existing.caCert && existing.caKey && validCA(existing.caCert, existing.caKey)) {
    ca = { certPem: existing.caCert, keyPem: existing.caKey, cert: new NodeX509(existing.caCert) };
  }
  const fresh = !ca;
  if (!ca) {
    const caPair = await newKeyPair();
    const certPem = await issueCA(caPair.keys);
    ca = { certPem, keyPem: caPair.keyPem, cert: new NodeX509(certPem) };
    write(pkiDir, files.caCert, certPem, 0o644);
    write(pkiDir, files.caKey, caPair.keyPem, 0o600);
  }

  let signer: CryptoKey | undefined;
  const caSigner = async () => (signer ??= await importSigningKey(ca.keyPem));

  let serving = { certPem: existing.servingCert, keyPem: existing.servingKey };
  if (fresh || !validLeaf(serving.certPem, serving.keyPem, ca.cert, (c) => coversSANs(c, sans))) {
    const pair = await newKeyPair();
    const certPem = await issueLeaf(await caSigner(), ca.certPem, pair.keys, {
      subject: 'CN=kube-apiserver',
      usage: 'serverAuth',
      sans,
    });
    serving = { certPem, keyPem: pair.keyPem };
    write(pkiDir, files.servingCert, certPem, 0o644);
    write(pkiDir, files.servingKey, pair.keyPem, 0o600);
  }

  // An admin certificate from before kubesvc had authorization (CN=kubesvc-admin, O=system:masters)
  // is replaced here, and the kubeconfig written with the new one. Copies of the old one keep
  // working: system:masters may do everything, and only a new CA could take that away.
  /** A client certificate kept while valid (and `ok`), else issued again for `user` in `groups`. */
  const clientCert = async (cert: 'adminCert' | 'kubeletClientCert', key: 'adminKey' | 'kubeletClientKey', user: string, groups: string[], ok: (c: NodeX509) => boolean) => {
    const kept = { certPem: existing[cert], keyPem: existing[key] };
    if (!fresh && validLeaf(kept.certPem, kept.keyPem, ca.cert, ok)) return kept;
    const pair = await newKeyPair();
    const certPem = await issueLeaf(await caSigner(), ca.certPem, pair.keys, { subject: clientSubject(user, groups), usage: 'clientAuth' });
    write(pkiDir, files[cert], certPem, 0o644);
    write(pkiDir, files[key], pair.keyPem, 0o600);
    return { certPem, keyPem: pair.keyPem };
  };
  const admin = await clientCert('adminCert', 'adminKey', clusterAdminUser, [clusterAdminsGroup], isClusterAdmin);
  const kubeletClient = await clientCert('kubeletClientCert', 'kubeletClientKey', kubeletClientUser, [clusterAdminsGroup], () => true);

  return {
    kubeletClientCert: kubeletClient.certPem!,
    kubeletClientKey: kubeletClient.keyPem!,
    caCert: ca.certPem,
    servingCert: serving.certPem!,
    servingKey: serving.keyPem!,
    adminCert: admin.certPem!,
    adminKey: admin.keyPem!,
  };
}

/**
 * kubeadm's sa.key / sa.pub in DIR/pki/ (PKCS#8 PEM of the private key): RSA 2048, as tokens are
 * RS256, which every OIDC verifier accepts. Kept across restarts and CA renewals, since every
 * token issued so far depends on it; a key that no longer parses as RSA is replaced. Apart from
 * ensurePki because RSA generation takes from 0.1 to over a second: `up` runs it beside the
 * datastore's start, on a first start only.
 */
export async function ensureServiceAccountKey(dir: string): Promise<string> {
  const pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir, { recursive: true, mode: 0o700 });
  let existing: string | undefined;
  try {
    existing = readFileSync(join(pkiDir, files.serviceAccountKey), 'utf8');
  } catch {
    // missing: generated below
  }
  if (existing) {
    try {
      if (createPrivateKey(existing).asymmetricKeyType === 'rsa') return existing;
    } catch {
      // unreadable: a new one below
    }
  }
  // Off the event loop: RSA generation takes a good part of a second on a slow machine.
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  write(pkiDir, files.serviceAccountKey, keyPem, 0o600);
  write(pkiDir, files.serviceAccountPub, publicKey.export({ type: 'spki', format: 'pem' }).toString(), 0o644);
  return keyPem;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs.filter((x) => x !== ''))];
}

/**
 * A client certificate for `user` in `groups`, signed by the CA in DIR/pki/ (which must exist):
 * for identities the cluster hands out for a purpose, and for tests of what others may do.
 */
export async function issueClientCertificate(dir: string, user: string, groups: string[] = []): Promise<{ certPem: string; keyPem: string }> {
  const pkiDir = join(dir, 'pki');
  const caCertPem = readFileSync(join(pkiDir, files.caCert), 'utf8');
  const caKeyPem = readFileSync(join(pkiDir, files.caKey), 'utf8');
  const pair = await newKeyPair();
  const certPem = await issueLeaf(await importSigningKey(caKeyPem), caCertPem, pair.keys, {
    subject: clientSubject(user, groups),
    usage: 'clientAuth',
  });
  return { certPem, keyPem: pair.keyPem };
}

/**
 * The serving certificate of a node's kubelet API (CN=system:node:<name>, O=system:nodes, as the
 * kubelet-serving signer issues them) for the node's IPs and names, signed by the CA in DIR/pki/.
 * Kept as NODEDIR/pki/kubelet.crt|key (the kubelet's own place for it) and reused while it is
 * valid and covers the names, so a restart does not pay for loading the certificate library.
 */
export async function ensureKubeletServingCertificate(dir: string, nodeDir: string, nodeName: string, names: { dns: string[]; ips: string[] }): Promise<{ certPem: string; keyPem: string }> {
  const pkiDir = join(dir, 'pki');
  const caCertPem = readFileSync(join(pkiDir, files.caCert), 'utf8');
  const sans = { dns: unique(names.dns), ips: unique(names.ips) };
  const subject = `CN=system:node:${nodeName}`;
  const nodePki = join(nodeDir, 'pki');
  mkdirSync(nodePki, { recursive: true, mode: 0o700 });
  let kept: { certPem?: string; keyPem?: string } = {};
  try {
    kept = { certPem: readFileSync(join(nodePki, 'kubelet.crt'), 'utf8'), keyPem: readFileSync(join(nodePki, 'kubelet.key'), 'utf8') };
  } catch {
    // none yet: issued below
  }
  const ours = (c: NodeX509) => c.subject.split('\n').includes(subject) && coversSANs(c, sans);
  if (validLeaf(kept.certPem, kept.keyPem, new NodeX509(caCertPem), ours)) return kept as { certPem: string; keyPem: string };
  const caKeyPem = readFileSync(join(pkiDir, files.caKey), 'utf8');
  const pair = await newKeyPair();
  const certPem = await issueLeaf(await importSigningKey(caKeyPem), caCertPem, pair.keys, {
    subject: clientSubject(`system:node:${nodeName}`, ['system:nodes']),
    usage: 'serverAuth',
    sans,
  });
  write(nodePki, 'kubelet.key', pair.keyPem, 0o600);
  write(nodePki, 'kubelet.crt', certPem, 0o644);
  return { certPem, keyPem: pair.keyPem };
}

/**
 * O= then CN=, as Go's pkix.Name orders them. Values are given as UTF8Strings: as plain strings
 * @peculiar/x509 would read quotes, backslashes and a leading `#` in them as DN syntax.
 */
function clientSubject(user: string, groups: string[]): X509.JsonNameParams {
  return [...groups.map((g) => ({ O: [{ utf8String: g }] })), { CN: [{ utf8String: user }] }];
}

/** Data dirs from before these modes were enforced: tighten what an earlier run left looser. */
function keepPrivate(pkiDir: string): void {
  chmodSync(pkiDir, 0o700);
  for (const f of [files.caKey, files.servingKey, files.adminKey, files.kubeletClientKey, files.serviceAccountKey]) {
    try {
      if ((statSync(join(pkiDir, f)).mode & 0o077) !== 0) chmodSync(join(pkiDir, f), 0o600);
    } catch {
      // missing: generated with 0600
    }
  }
}

function readExisting(pkiDir: string): Partial<Record<PkiFile, string>> {
  const out: Partial<Record<PkiFile, string>> = {};
  for (const [k, f] of Object.entries(files) as [PkiFile, string][]) {
    try {
      out[k] = readFileSync(join(pkiDir, f), 'utf8');
    } catch {
      // missing: generated below
    }
  }
  return out;
}

/** Writes via a temporary file so a crash never leaves half a key behind. */
function write(pkiDir: string, name: string, data: string, mode: number): void {
  const path = join(pkiDir, name);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

function notExpiring(cert: NodeX509): boolean {
  const now = Date.now();
  return new Date(cert.validFrom).getTime() <= now + BACKDATE && new Date(cert.validTo).getTime() > now + RENEW_BEFORE;
}

function validCA(certPem: string, keyPem: string): boolean {
  try {
    const cert = new NodeX509(certPem);
    return cert.ca && notExpiring(cert) && cert.checkPrivateKey(createPrivateKey(keyPem)) && isP256(keyPem);
  } catch {
    return false;
  }
}

function validLeaf(
  certPem: string | undefined,
  keyPem: string | undefined,
  ca: NodeX509,
  also: (c: NodeX509) => boolean,
): boolean {
  if (!certPem || !keyPem) return false;
  try {
    const cert = new NodeX509(certPem);
    return (
      cert.verify(ca.publicKey) && cert.checkIssued(ca) && notExpiring(cert) && cert.checkPrivateKey(createPrivateKey(keyPem)) && also(cert)
    );
  } catch {
    return false;
  }
}

function coversSANs(cert: NodeX509, sans: { dns: string[]; ips: string[] }): boolean {
  return (
    sans.dns.every((d) => cert.checkHost(d, { subject: 'never', wildcards: false }) !== undefined) &&
    sans.ips.every((ip) => cert.checkIP(ip) !== undefined)
  );
}

function isClusterAdmin(cert: NodeX509): boolean {
  const subject = cert.subject.split('\n');
  return subject.includes(`CN=${clusterAdminUser}`) && subject.includes(`O=${clusterAdminsGroup}`);
}

function isP256(keyPem: string): boolean {
  const k = createPrivateKey(keyPem);
  return k.asymmetricKeyType === 'ec' && k.asymmetricKeyDetails?.namedCurve === 'prime256v1';
}

async function newKeyPair(): Promise<KeyPair> {
  const keys = (await webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify'])) as CryptoKeyPair;
  // SEC1 "EC PRIVATE KEY", as kubeadm writes its keys.
  const keyPem = KeyObject.from(keys.privateKey).export({ type: 'sec1', format: 'pem' }).toString();
  return { keys, keyPem };
}

async function importSigningKey(keyPem: string): Promise<CryptoKey> {
  const der = createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', der, ecdsa, false, ['sign']);
}

function randomSerial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0]! &= 0x7f; // positive, as RFC 5280 requires
  return Buffer.from(b).toString('hex');
}

async function issueCA(keys: CryptoKeyPair): Promise<string> {
  const x509 = await loadX509();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: 'CN=kubesvc-ca',
    notBefore: new Date(now - BACKDATE),
    notAfter: new Date(now + CA_VALIDITY),
    keys,
    signingAlgorithm: signing,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return cert.toString('pem') + '\n';
}

async function issueLeaf(
  caKey: CryptoKey,
  caCertPem: string,
  keys: CryptoKeyPair,
  o: { subject: string | X509.JsonNameParams; usage: 'serverAuth' | 'clientAuth'; sans?: { dns: string[]; ips: string[] } },
): Promise<string> {
  const x509 = await loadX509();
  const caCert = new x509.X509Certificate(caCertPem);
  const now = Date.now();
  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    // No keyEncipherment: an ECDSA key cannot encipher.
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage[o.usage]]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  if (o.sans) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...o.sans.dns.map((value) => ({ type: 'dns' as const, value })),
        ...o.sans.ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: typeof o.subject === 'string' ? o.subject : new x509.Name(o.subject),
    issuer: caCert.subject,
    notBefore: new Date(now - BACKDATE),
    notAfter: new Date(Math.min(now + LEAF_VALIDITY, caCert.notAfter.getTime())),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: signing,
    extensions,
  });
  return cert.toString('pem') + '\n';
}

/**
 * A self-signed serving certificate, for a server that has no other to offer (the ingress
 * controller's default certificate, as ingress-nginx's "Fake Certificate").
 */
export async function selfSignedServingCertificate(subject: string, dns: string[]): Promise<{ certPem: string; keyPem: string }> {
  const x509 = await loadX509();
  const pair = await newKeyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: subject,
    notBefore: new Date(now - BACKDATE),
    notAfter: new Date(now + LEAF_VALIDITY),
    keys: pair.keys,
    signingAlgorithm: signing,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(dns.map((value) => ({ type: 'dns' as const, value }))),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: pair.keyPem };
}

const subjectAltNameOID = '2.5.29.17';

/** What a PKCS#10 request asks for, as the CSR approver and signer read it. */
export interface CertificateRequestInfo {
  /** Whether the request is signed by the key it carries. */
  signatureValid: boolean;
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
}

/** The request in `pem`; throws with x509's words when it is not a certificate request. */
export async function parseCertificateRequest(pem: string): Promise<CertificateRequestInfo> {
  const x509 = await loadX509();
  const req = new x509.Pkcs10CertificateRequest(pem);
  const raw = req.getExtension(subjectAltNameOID);
  const sans = raw ? new x509.SubjectAlternativeNameExtension(raw.rawData) : undefined;
  const of = (type: string) => (sans?.names.items ?? []).filter((n) => n.type === type).map((n) => n.value);
  return {
    signatureValid: await req.verify(),
    commonName: req.subjectName.getField('CN')[0] ?? '',
    organizations: req.subjectName.getField('O'),
    dnsNames: of('dns'),
    ipAddresses: of('ip'),
    emailAddresses: of('email'),
    uris: of('url'),
  };
}

/**
 * A certificate for the key and names of the request in `requestPem`, signed by the CA in
 * DIR/pki/ (which must exist): the CSR signing controller's answer. Valid for `expirationSeconds` if given, never
 * beyond `maxDurationMs` (--cluster-signing-duration, a year by default) nor the CA.
 */
export async function signCertificateRequest(
  dir: string,
  requestPem: string,
  o: { usage: 'clientAuth' | 'serverAuth'; expirationSeconds?: number; maxDurationMs?: number },
): Promise<string> {
  const x509 = await loadX509();
  const pkiDir = join(dir, 'pki');
  const req = new x509.Pkcs10CertificateRequest(requestPem);
  const caCert = new x509.X509Certificate(readFileSync(join(pkiDir, files.caCert), 'utf8'));
  const now = Date.now();
  const validity = Math.min(o.maxDurationMs ?? LEAF_VALIDITY, (o.expirationSeconds ?? Infinity) * 1000);
  const extensions: X509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage[o.usage]]),
    await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
  ];
  const sans = req.getExtension(subjectAltNameOID);
  if (sans) extensions.push(sans);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: req.subjectName,
    issuer: caCert.subject,
    notBefore: new Date(now - BACKDATE),
    notAfter: new Date(Math.min(now + validity, caCert.notAfter.getTime())),
    publicKey: req.publicKey,
    signingKey: await importSigningKey(readFileSync(join(pkiDir, files.caKey), 'utf8')),
    signingAlgorithm: signing,
    extensions,
  });
  return cert.toString('pem') + '\n';
}

/**
 * A new P-256 key and a PEM certificate request for `user` in `groups`, with `sans` when given:
 * what a joining node sends the cluster (the key never leaves the node).
 */
export async function createCertificateRequest(user: string, groups: string[], sans?: { dns: string[]; ips: string[] }): Promise<{ keyPem: string; csrPem: string }> {
  const x509 = await loadX509();
  const pair = await newKeyPair();
  const req = await x509.Pkcs10CertificateRequestGenerator.create({
    name: new x509.Name(clientSubject(user, groups)),
    keys: pair.keys,
    signingAlgorithm: signing,
    extensions: sans
      ? [
          new x509.SubjectAlternativeNameExtension([
            ...sans.dns.map((value) => ({ type: 'dns' as const, value })),
            ...sans.ips.map((value) => ({ type: 'ip' as const, value })),
          ]),
        ]
      : [],
  });
  return { keyPem: pair.keyPem, csrPem: req.toString('pem') + '\n' };
}

/** kubeadm's --discovery-token-ca-cert-hash of a CA: `sha256:` and the hex SHA-256 of its SubjectPublicKeyInfo. */
export function caCertHash(caPem: string): string {
  const spki = new NodeX509(caPem).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}
