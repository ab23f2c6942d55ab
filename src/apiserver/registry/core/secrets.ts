// core/v1 secrets (upstream's pkg/registry/core/secret). Its strategy warns (never refuses) when a kubernetes.io/tls
// Secret's key does not go with its certificate, in the words of Go's tls.X509KeyPair.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { Secret } from '../../../api/core.js';
import { setDefaultsSecret } from '../../../api/defaults/secret.js';
import { validateSecret, validateSecretUpdate } from '../../../api/validation/secret.js';
import { fields, resourceInfo } from '../../resources.js';
import { secretPrinter } from '../../tables/simple.js';
import { entry } from '../entry.js';
import { metaOnlyStatusUpdate } from '../strategy.js';

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

/** upstream's WarningsOnCreate/WarningsOnUpdate: a kubernetes.io/tls Secret whose pair does not load. */
function tlsWarnings(s: Secret): string[] {
  if (s.type !== 'kubernetes.io/tls') return [];
  const err = x509KeyPairError(Buffer.from(s.data?.['tls.crt'] ?? '', 'base64'), Buffer.from(s.data?.['tls.key'] ?? '', 'base64'));
  return err ? [err] : [];
}

export const secrets = entry<Secret>({
  info: resourceInfo({ group: '', version: 'v1', resource: 'secrets', kind: 'Secret', fieldSelectors: fields('type') }),
  strategy: {
    // The stringData merge is upstream's conversion, which every write goes through.
    defaults: setDefaultsSecret,
    validateCreate: validateSecret,
    validateUpdate: validateSecretUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
    warningsOnCreate: tlsWarnings,
    warningsOnUpdate: tlsWarnings,
  },
  printer: secretPrinter,
});
