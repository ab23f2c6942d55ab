// tls.X509KeyPair's verdicts on a kubernetes.io/tls Secret's pair, which upstream turns into warnings.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePki } from '../../../src/apiserver/pki.js';
import { x509KeyPairError } from '../../../src/apiserver/registry/core/secrets.js';

describe('x509KeyPairError', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesvc-tls-'));
  const pki = await ensurePki(dir, { sans: { dns: [], ips: [] } });
  rmSync(dir, { recursive: true, force: true });
  const b = (s: string) => Buffer.from(s);

  it('accepts a matching pair', () => {
    assert.equal(x509KeyPairError(b(pki.servingCert), b(pki.servingKey)), undefined);
  });
  it('names what is wrong as Go does', () => {
    assert.equal(x509KeyPairError(b('not pem'), b(pki.servingKey)), 'tls: failed to find any PEM data in certificate input');
    assert.equal(x509KeyPairError(b(pki.servingCert), b('')), 'tls: failed to find any PEM data in key input');
    assert.equal(x509KeyPairError(b(pki.servingCert), b(pki.caCert)), 'tls: found a certificate rather than a key in the PEM for the private key');
    assert.equal(x509KeyPairError(b(pki.servingCert), b(pki.adminKey)), 'tls: private key does not match public key');
    const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.equal(x509KeyPairError(b(pki.servingCert), b(ed)), 'tls: private key type does not match public key type');
  });
});
