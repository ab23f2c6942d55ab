// Writes the admin kubeconfig that `kubesvc up` hands to kubectl: everything embedded
// (certificate-authority-data, client-certificate-data, client-key-data) so the file works
// when copied elsewhere, and private (0600) because it holds the cluster-admin key. It never
// holds the CA's key: whoever has a kubeconfig can act as its user, not mint other users.
import { chmodSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export interface KubeconfigOptions {
  /** e.g. https://127.0.0.1:6443 */
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
  /** Cluster and context name. Default "kubesvc". */
  name?: string;
  /** The kubeconfig's name for the credentials. Default `<name>-admin`. */
  user?: string;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

/** The kubeconfig document as kubectl's `config view --raw` would print it. */
export function kubeconfigYAML(o: KubeconfigOptions): string {
  const name = o.name ?? 'kubesvc';
  const user = o.user ?? `${name}-admin`;
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ cluster: { 'certificate-authority-data': b64(o.caPem), server: o.server }, name }],
    contexts: [{ context: { cluster: name, user }, name }],
    'current-context': name,
    preferences: {},
    users: [{ name: user, user: { 'client-certificate-data': b64(o.certPem), 'client-key-data': b64(o.keyPem) } }],
  };
  // lineWidth 0: a folded base64 scalar would read back with spaces in it.
  return stringify(doc, { lineWidth: 0 });
}

export function writeKubeconfig(path: string, o: KubeconfigOptions): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, kubeconfigYAML(o), { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
