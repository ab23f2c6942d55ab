// The HTTP client reads kubeconfigs as kubectl does: embedded data or files relative to the
// kubeconfig, from the current context.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';

describe('loadKubeconfig', () => {
  it('reads embedded data and file paths from the current context', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kubesvc-kc-'));
    try {
      writeFileSync(join(dir, 'ca.crt'), 'CA');
      writeFileSync(join(dir, 'key.pem'), 'KEY');
      const b64 = (s: string) => Buffer.from(s).toString('base64');
      writeFileSync(
        join(dir, 'config'),
        [
          'apiVersion: v1',
          'kind: Config',
          'current-context: two',
          'clusters:',
          '- name: c1',
          '  cluster: {server: "https://one:1", certificate-authority-data: ' + b64('X') + '}',
          '- name: c2',
          '  cluster: {server: "https://127.0.0.1:6443", certificate-authority: ca.crt}',
          'contexts:',
          '- name: one',
          '  context: {cluster: c1, user: u1}',
          '- name: two',
          '  context: {cluster: c2, user: u2}',
          'users:',
          '- name: u1',
          '  user: {client-certificate-data: ' + b64('X') + ', client-key-data: ' + b64('X') + '}',
          '- name: u2',
          '  user: {client-certificate-data: ' + b64('CERT') + ', client-key: key.pem}',
          '',
        ].join('\n'),
      );
      assert.deepEqual(loadKubeconfig(join(dir, 'config')), { server: 'https://127.0.0.1:6443', ca: 'CA', cert: 'CERT', key: 'KEY' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
