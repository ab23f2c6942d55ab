// TLS bootstrapping of a joining node, as the kubelet and kubeadm join do it: find the cluster CA
// from the server itself and trust it only if its public key matches the hash the user was given
// (--ca-cert-hash, as kubeadm's --discovery-token-ca-cert-hash), then ask for the node's client
// certificate with a CertificateSigningRequest authenticated by the bootstrap token, and wait for
// the cluster to approve and sign it. The node's serving certificate and kube-proxy's client
// certificate are then asked for with the node's own credentials. Everything is kept in
// DIR/pki/ (keys 0600) and reused on restart, so a node joins once; the client certificates are
// renewed 80 % into their life with the node's own, the serving one too.
import { connect, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { caCertHash, createCertificateRequest } from '../apiserver/pki.js';
import { kubeAPIServerClientKubeletSigner, kubeAPIServerClientSigner, kubeletServingSigner, type CertificateSigningRequest } from '../api/certificates.js';
import { logger } from '../util/log.js';

const log = logger('tls-bootstrap');

export interface NodeCredentials {
  ca: string;
  /** The node's client certificate: system:node:<name> in system:nodes. */
  node: { cert: string; key: string };
  /** kube-proxy's client certificate: system:kube-proxy. */
  proxy: { cert: string; key: string };
  /** The kubelet API's serving certificate. */
  serving: { cert: string; key: string };
  /**
   * When each was obtained (ms; a kept one: when its file was written). Signers backdate a
   * certificate's notBefore (5 minutes, upstream's and ours), so for a short-lived certificate its
   * life as the node saw it starts here, not at notBefore.
   */
  obtainedAt: { node: number; proxy: number; serving: number };
}

export interface BootstrapOptions {
  server: string;
  token?: string;
  /** sha256:<hex> of the CA's public key; required unless `unsafeSkipCAVerification`. */
  caCertHash?: string;
  unsafeSkipCAVerification?: boolean;
  nodeName: string;
  /** Names the kubelet API's serving certificate covers. */
  servingNames: { dns: string[]; ips: string[] };
  dataDir: string;
  /** How long to wait for each certificate (default 60 s). */
  timeoutMs?: number;
}

/** The root of the chain the server presents, as PEM. */
function serverCA(server: string): Promise<string> {
  const u = new URL(server);
  return new Promise((resolve, reject) => {
    const s = connect({ host: u.hostname, port: Number(u.port || 443), rejectUnauthorized: false, servername: isIP(u.hostname.replace(/^\[(.*)\]$/, '$1')) ? undefined : u.hostname }, () => {
      let c: PeerCertificate & { issuerCertificate?: PeerCertificate } = s.getPeerCertificate(true);
      for (let i = 0; i < 8 && c.issuerCertificate && c.issuerCertificate !== c && c.issuerCertificate.fingerprint256 !== c.fingerprint256; i++) c = c.issuerCertificate;
      s.end();
      if (!c.raw) return reject(new Error(`${server} presented no certificate`));
      resolve(new X509Certificate(c.raw).toString());
    });
    s.setTimeout(10_000, () => s.destroy(new Error(`no TLS answer from ${server} in 10 s`)));
    s.on('error', reject);
  });
}

function call(server: string, ca: string, auth: { token?: string; cert?: string; key?: string }, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = httpsRequest(
      new URL(path, server),
      {
        method,
        ca,
        ...(auth.cert ? { cert: auth.cert, key: auth.key } : {}),
        headers: {
          Accept: 'application/json',
          ...(auth.token ? { Authorization: `Bearer ${auth.token}` } : {}),
          ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
        },
        timeout: 10_000,
      },
      (res) => {
        let d = '';
        res.setEncoding('utf8');
        res.on('data', (x) => (d += x));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: d ? JSON.parse(d) : undefined });
          } catch {
            resolve({ status: res.statusCode ?? 0, json: { message: d } });
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(payload);
  });
}

const csrPath = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

/** Posts a CSR and waits for its certificate; throws with the reason when it is denied or fails. */
async function obtain(
  o: BootstrapOptions,
  ca: string,
  auth: { token?: string; cert?: string; key?: string },
  what: string,
  req: { user: string; groups: string[]; sans?: { dns: string[]; ips: string[] }; signerName: string; usages: string[] },
): Promise<{ cert: string; key: string }> {
  const { keyPem, csrPem } = await createCertificateRequest(req.user, req.groups, req.sans);
  const name = `${what}-${o.nodeName}-${Date.now().toString(36)}`;
  const body = {
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(csrPem).toString('base64'), signerName: req.signerName, usages: req.usages },
  };
  const created = await call(o.server, ca, auth, 'POST', csrPath, body);
  if (created.status !== 201) throw new Error(`creating the ${what} certificate request was refused (${created.status}): ${created.json?.message ?? ''}`);
  log.info(`asked for the ${what} certificate (CertificateSigningRequest ${name}); waiting for it to be approved and signed`);
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  for (;;) {
    const r = await call(o.server, ca, auth, 'GET', `${csrPath}/${name}`);
    const csr = r.json as CertificateSigningRequest | undefined;
    const bad = csr?.status?.conditions?.find((c) => (c.type === 'Denied' || c.type === 'Failed') && c.status === 'True');
    if (bad) throw new Error(`the ${what} certificate request ${name} was ${bad.type.toLowerCase()}: ${bad.message ?? bad.reason ?? ''}`);
    if (csr?.status?.certificate) return { cert: Buffer.from(csr.status.certificate, 'base64').toString('utf8'), key: keyPem };
    if (Date.now() > deadline) throw new Error(`the ${what} certificate request ${name} was not signed within ${(o.timeoutMs ?? 60_000) / 1000} s: approve it with \`kubectl certificate approve ${name}\``);
    await new Promise((r2) => setTimeout(r2, 100));
  }
}

/**
 * When a certificate should be renewed: 80 % into its life (the kubelet picks 70–90 %), counted
 * from when it was obtained when that is later than its (backdated) notBefore — else a certificate
 * of 20 s backdated by 5 minutes would be due the moment it arrived, and renewed without end.
 */
export function renewalTime(certPem: string, obtainedAt = 0): number {
  const c = new X509Certificate(certPem);
  const to = Date.parse(c.validTo);
  const from = Math.min(Math.max(Date.parse(c.validFrom), obtainedAt), to);
  return from + 0.8 * (to - from);
}

function stillGood(certPem: string): boolean {
  try {
    return renewalTime(certPem) > Date.now();
  } catch {
    return false;
  }
}

function writePrivate(path: string, data: string, mode: number): void {
  writeFileSync(`${path}.tmp`, data, { mode });
  renameSync(`${path}.tmp`, path);
}

/**
 * The node's and kube-proxy's client certificates renewed with the node's current one (csrapproving
 * approves a node's renewal of its own certificate: selfnodeclient), kept in DIR/pki like the first.
 */
export async function renewClientCertificates(o: BootstrapOptions, current: NodeCredentials): Promise<NodeCredentials> {
  const asNode = { cert: current.node.cert, key: current.node.key };
  const nodeUser = `system:node:${o.nodeName}`;
  const node = await obtain(o, current.ca, asNode, 'node-client', { user: nodeUser, groups: ['system:nodes'], signerName: kubeAPIServerClientKubeletSigner, usages: ['digital signature', 'client auth'] });
  const proxy = await obtain(o, current.ca, { cert: node.cert, key: node.key }, 'kube-proxy', { user: 'system:kube-proxy', groups: [], signerName: kubeAPIServerClientSigner, usages: ['digital signature', 'client auth'] });
  const dir = join(o.dataDir, 'pki');
  for (const [n, c] of [['kubelet-client', node], ['kube-proxy', proxy]] as const) {
    writePrivate(join(dir, `${n}.key`), c.key, 0o600);
    writePrivate(join(dir, `${n}.crt`), c.cert, 0o644);
  }
  return { ...current, node, proxy, obtainedAt: { ...current.obtainedAt, node: Date.now(), proxy: Date.now() } };
}

/** The kubelet API's serving certificate renewed with the node's client certificate, kept in DIR/pki. */
export async function renewServingCertificate(o: BootstrapOptions, current: NodeCredentials): Promise<NodeCredentials> {
  const serving = await obtain(o, current.ca, { cert: current.node.cert, key: current.node.key }, 'kubelet-serving', {
    user: `system:node:${o.nodeName}`,
    groups: ['system:nodes'],
    sans: o.servingNames,
    signerName: kubeletServingSigner,
    usages: ['digital signature', 'server auth'],
  });
  const dir = join(o.dataDir, 'pki');
  writePrivate(join(dir, 'kubelet.key'), serving.key, 0o600);
  writePrivate(join(dir, 'kubelet.crt'), serving.cert, 0o644);
  return { ...current, serving, obtainedAt: { ...current.obtainedAt, serving: Date.now() } };
}

/** The node's credentials: kept ones when still valid, else obtained from the cluster. */
export async function bootstrapNodeCredentials(o: BootstrapOptions): Promise<NodeCredentials> {
  const dir = join(o.dataDir, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (n: string) => join(dir, n);
  const kept = (n: string) => (existsSync(file(`${n}.crt`)) && existsSync(file(`${n}.key`)) ? { cert: readFileSync(file(`${n}.crt`), 'utf8'), key: readFileSync(file(`${n}.key`), 'utf8') } : undefined);
  const writtenAt = (n: string) => statSync(file(`${n}.crt`)).mtimeMs;
  const keep = (n: string, c: { cert: string; key: string }) => {
    writePrivate(file(`${n}.key`), c.key, 0o600);
    writePrivate(file(`${n}.crt`), c.cert, 0o644);
  };
  let ca = existsSync(file('ca.crt')) ? readFileSync(file('ca.crt'), 'utf8') : undefined;
  if (!ca) {
    const found = await serverCA(o.server);
    const hash = caCertHash(found);
    if (o.caCertHash) {
      if (o.caCertHash.toLowerCase() !== hash) throw new Error(`the server's CA has public key hash ${hash}, not the ${o.caCertHash} given: refusing to join (is --server right?)`);
    } else if (!o.unsafeSkipCAVerification) {
      throw new Error(`give --ca-cert-hash (\`kubesvc token create --print-join-command\` prints it; this server's is ${hash}), or --unsafe-skip-ca-verification`);
    }
    ca = found;
    writePrivate(file('ca.crt'), ca, 0o644);
  }
  const nodeUser = `system:node:${o.nodeName}`;
  let node = kept('kubelet-client');
  if (!node || !stillGood(node.cert)) {
    if (!o.token) throw new Error('this node has no client certificate yet: give --token to join');
    node = await obtain(o, ca, { token: o.token }, 'node-client', { user: nodeUser, groups: ['system:nodes'], signerName: kubeAPIServerClientKubeletSigner, usages: ['digital signature', 'client auth'] });
    keep('kubelet-client', node);
  }
  const asNode = { cert: node.cert, key: node.key };
  let serving = kept('kubelet');
  if (!serving || !stillGood(serving.cert)) {
    serving = await obtain(o, ca, asNode, 'kubelet-serving', { user: nodeUser, groups: ['system:nodes'], sans: o.servingNames, signerName: kubeletServingSigner, usages: ['digital signature', 'server auth'] });
    keep('kubelet', serving);
  }
  let proxy = kept('kube-proxy');
  if (!proxy || !stillGood(proxy.cert)) {
    proxy = await obtain(o, ca, asNode, 'kube-proxy', { user: 'system:kube-proxy', groups: [], signerName: kubeAPIServerClientSigner, usages: ['digital signature', 'client auth'] });
    keep('kube-proxy', proxy);
  }
  return { ca, node, proxy, serving, obtainedAt: { node: writtenAt('kubelet-client'), proxy: writtenAt('kube-proxy'), serving: writtenAt('kubelet') } };
}
