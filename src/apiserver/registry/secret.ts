// Secret registry hooks: upstream's strategy warns (never refuses) when a kubernetes.io/tls
// Secret's key does not go with its certificate, in the words of Go's tls.X509KeyPair.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { Secret } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';
import { noTxn, type StoreHooks } from '../store/hooks.js';
import type { RequestContext } from '../store/context.js';

const pemTypes = (text: string): string[] => [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1]!);

/** What tls.X509KeyPair(cert, key) fails with, or undefined when the pair is good. */
export function x509KeyPairError(certPem: Buffer, keyPem: Buffer): string | undefined {
  const certText = certPem.toString('latin1');
  const certTypes = pemTypes(certText);
  if (certTypes.length === 0) return 'tls: failed to find any PEM data in certificate input';
  if (!certTypes.includes('CERTIFICATE')) {
    return `tls: failed to find "CERTIFICATE" PEM block in certificate input after skipping PEM blocks of the following types: [${certTypes.join(' ')}]`;
  }
  const keyText = keyPem.toString('latin1');
  const keyTypes = pemTypes(keyText);
  if (keyTypes.length === 0) return 'tls: failed to find any PEM data in key input';
  if (!keyTypes.some((t) => t === 'PRIVATE KEY' || t.endsWith(' PRIVATE KEY'))) {
    if (keyTypes.includes('CERTIFICATE')) return 'tls: found a certificate rather than a key in the PEM for the private key';
    return `tls: failed to find PEM block with type ending in "PRIVATE KEY" in key input after skipping PEM blocks of the following types: [${keyTypes.join(' ')}]`;
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return 'x509: malformed certificate';
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    return 'tls: failed to parse private key';
  }
  if (cert.publicKey.asymmetricKeyType !== key.asymmetricKeyType) return 'tls: private key type does not match public key type';
  return cert.checkPrivateKey(key) ? undefined : 'tls: private key does not match public key';
}

function warnTLS(obj: KubeObject, ctx: RequestContext): typeof noTxn {
  const s = obj as Secret;
  if (s.type === 'kubernetes.io/tls') {
    const err = x509KeyPairError(Buffer.from(s.data?.['tls.crt'] ?? '', 'base64'), Buffer.from(s.data?.['tls.key'] ?? '', 'base64'));
    if (err) ctx.warnings.push(err);
  }
  return noTxn;
}

export const secretHooks: StoreHooks = {
  beginCreate: warnTLS,
  beginUpdate: (obj, _old, ctx) => warnTLS(obj, ctx),
};
