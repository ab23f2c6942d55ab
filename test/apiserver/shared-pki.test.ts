// The cluster CA and service-account key every `kubesvc server` shares, kept in the datastore
// encrypted with the cluster token: sealed and opened with the token only, written into a data
// dir only when it holds no other CA, stored once per datastore (a second cluster's CA refused).
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePki, ensureServiceAccountKey } from '../../src/apiserver/pki.js';
import { fetchSharedPki, openSharedPki, publishSharedPki, readSharedPki, sealSharedPki, sharedPkiKey, writeSharedPki, WrongTokenError } from '../../src/apiserver/shared-pki.js';
import { openBackend } from '../../src/storage/registry.js';

const token = 'abcdef.0123456789abcdef';
const dirs: string[] = [];
const temp = () => {
  const d = mkdtempSync(join(tmpdir(), 'kubesvc-shared-pki-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function clusterDir(): Promise<string> {
  const dir = temp();
  await ensurePki(dir, { sans: { dns: [], ips: [] } });
  await ensureServiceAccountKey(dir);
  return dir;
}

describe('shared PKI', () => {
  it('opens with the token it was sealed with, and with no other', async () => {
    const pki = readSharedPki(await clusterDir())!;
    const sealed = sealSharedPki(pki, token);
    assert.ok(!sealed.includes('PRIVATE KEY') && !sealed.includes('CERTIFICATE'), 'nothing readable without the token');
    assert.deepEqual(openSharedPki(sealed, token), pki);
    assert.throws(() => openSharedPki(sealed, 'abcdef.0123456789abcdeX'), WrongTokenError);
    // Tampered data does not open either (GCM's tag).
    const box = JSON.parse(sealed) as { data: string };
    const bytes = Buffer.from(box.data, 'base64');
    bytes[0] ^= 1;
    assert.throws(() => openSharedPki(JSON.stringify({ ...box, data: bytes.toString('base64') }), token), WrongTokenError);
    assert.throws(() => openSharedPki('not json', token), /not JSON/);
    assert.throws(() => openSharedPki('{"version":7}', token), /unknown format/);
    // The key names a hash of the token, not the token.
    assert.match(sharedPkiKey(token), /^\/bootstrap\/[0-9a-f]{16}$/);
    assert.ok(!sharedPkiKey(token).includes('abcdef'));
  });

  it('is written into an empty data dir with private keys 0600, and refused where another CA lives', async () => {
    const pki = readSharedPki(await clusterDir())!;
    const joining = temp();
    writeSharedPki(joining, pki);
    assert.equal(readFileSync(join(joining, 'pki', 'ca.crt'), 'utf8'), pki['ca.crt']);
    assert.equal(statSync(join(joining, 'pki', 'ca.key')).mode & 0o777, 0o600);
    assert.equal(statSync(join(joining, 'pki', 'sa.key')).mode & 0o777, 0o600);
    // The same again is fine (a restart); another cluster's CA is not.
    writeSharedPki(joining, pki);
    const other = await clusterDir();
    assert.throws(() => writeSharedPki(other, pki), /holds the CA of another cluster; start this server with an empty --data-dir/);
    assert.notEqual(readFileSync(join(other, 'pki', 'ca.crt'), 'utf8'), pki['ca.crt']);
  });

  it('is stored once per token in the datastore; a second cluster with the same token is refused', async () => {
    const dir = await clusterDir();
    const backend = openBackend('sqlite://:memory:', { dataDir: dir });
    await backend.start();
    try {
      assert.equal(await fetchSharedPki(backend, token), undefined);
      assert.equal(await publishSharedPki(backend, dir, token), 'stored');
      assert.equal(await publishSharedPki(backend, dir, token), 'present');
      assert.deepEqual(await fetchSharedPki(backend, token), readSharedPki(dir));
      assert.equal(await fetchSharedPki(backend, token.replace('a', 'b')), undefined);
      await assert.rejects(publishSharedPki(backend, await clusterDir(), token), /already holds another cluster for this token/);
    } finally {
      await backend.close();
    }
  });
});
