// ConfigMaps, Secrets and ServiceAccounts through kubectl 1.32 against a real `kubesvc up`: the
// create generators, get columns, describe, what the controllers keep in every namespace, and
// hostile input answered with upstream's status and words while the server keeps serving.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, kubectl, kubectlOk, request, until, type Cluster } from './harness.js';

describe('ConfigMaps, Secrets and ServiceAccounts with kubectl', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  const invalid = (r: { code: number | null; stderr: string }, re: RegExp): void => {
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, re);
  };

  it('kubectl create configmap from literals and a file; get and describe show it', () => {
    const file = join(c.dataDir, 'app.properties');
    writeFileSync(file, 'color=blue\n');
    kubectlOk(c, ['create', 'configmap', 'cfg', '--from-literal=a=b', `--from-file=${file}`]);
    const cm = JSON.parse(kubectlOk(c, ['get', 'cm', 'cfg', '-o', 'json']));
    assert.deepEqual(cm.data, { a: 'b', 'app.properties': 'color=blue\n' });
    assert.match(kubectlOk(c, ['get', 'configmap', 'cfg']), /^NAME\s+DATA\s+AGE\ncfg\s+2\s+\d+s\n$/);
    assert.match(kubectlOk(c, ['describe', 'cm', 'cfg']), /app\.properties:\n----\ncolor=blue/);
  });

  it('kubectl create secret generic, tls and docker-registry; describe hides the values', async () => {
    kubectlOk(c, ['create', 'secret', 'generic', 'db', '--from-literal=password=s3cr3t']);
    const pki = join(c.dataDir, 'pki');
    kubectlOk(c, ['create', 'secret', 'tls', 'web', `--cert=${join(pki, 'apiserver.crt')}`, `--key=${join(pki, 'apiserver.key')}`]);
    kubectlOk(c, ['create', 'secret', 'docker-registry', 'pull', '--docker-server=registry.example', '--docker-username=u', '--docker-password=p']);
    const db = JSON.parse(kubectlOk(c, ['get', 'secret', 'db', '-o', 'json']));
    assert.equal(Buffer.from(db.data.password, 'base64').toString(), 's3cr3t');
    assert.equal(db.type, 'Opaque');
    const web = JSON.parse(kubectlOk(c, ['get', 'secret', 'web', '-o', 'json']));
    assert.equal(Buffer.from(web.data['tls.crt'], 'base64').toString(), readFileSync(join(pki, 'apiserver.crt'), 'utf8'));
    const table = kubectlOk(c, ['get', 'secrets']);
    assert.match(table, /^NAME\s+TYPE\s+DATA\s+AGE\n/);
    assert.match(table, /\ndb\s+Opaque\s+1\s+\d+s\n/);
    assert.match(table, /\npull\s+kubernetes\.io\/dockerconfigjson\s+1\s+/);
    assert.match(table, /\nweb\s+kubernetes\.io\/tls\s+2\s+/);
    const described = kubectlOk(c, ['describe', 'secret', 'db']);
    assert.match(described, /Type:\s+Opaque/);
    assert.match(described, /password:\s+6 bytes/);
    assert.doesNotMatch(described, /s3cr3t/);
    // A key that does not go with its certificate is stored, with upstream's warning (kubectl's
    // generator checks the pair itself, so the body is posted as another client would).
    const file64 = (f: string) => readFileSync(join(pki, f)).toString('base64');
    const odd = await request(c, 'POST', '/api/v1/namespaces/default/secrets', JSON.stringify({
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'odd' }, type: 'kubernetes.io/tls', data: { 'tls.crt': file64('apiserver.crt'), 'tls.key': file64('admin.key') },
    }));
    assert.equal(odd.status, 201, odd.body);
    assert.match(String(odd.headers.warning), /^299 - "tls: private key does not match public key"$/);
    kubectlOk(c, ['delete', 'secret', 'odd']);
    // The field selector upstream serves for Secrets.
    assert.equal(kubectlOk(c, ['get', 'secrets', '--field-selector', 'type=kubernetes.io/tls', '-o', 'name']).trim(), 'secret/web');
  });

  it('stringData is merged into data on write and never returned', async () => {
    const body = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'merged' }, data: { a: Buffer.from('old').toString('base64') }, stringData: { a: 'new', b: 'x' } });
    const r = await request(c, 'POST', '/api/v1/namespaces/default/secrets', body);
    assert.equal(r.status, 201, r.body);
    assert.equal(r.json().stringData, undefined);
    const got = JSON.parse(kubectlOk(c, ['get', 'secret', 'merged', '-o', 'json']));
    assert.deepEqual(got.data, { a: Buffer.from('new').toString('base64'), b: Buffer.from('x').toString('base64') });
    assert.equal(got.stringData, undefined);
  });

  it('kubectl create serviceaccount; every namespace has default and kube-root-ca.crt', async () => {
    kubectlOk(c, ['create', 'serviceaccount', 'bot']);
    kubectlOk(c, ['create', 'namespace', 'team']);
    await until('default SA and kube-root-ca.crt in team', () => kubectl(c, ['get', 'sa/default', 'cm/kube-root-ca.crt', '-n', 'team', '-o', 'name']).stdout, (s) => s.split('\n').filter(Boolean).length === 2, 10_000);
    const ca = JSON.parse(kubectlOk(c, ['get', 'cm', 'kube-root-ca.crt', '-n', 'team', '-o', 'json']));
    assert.equal(ca.data['ca.crt'], readFileSync(join(c.dataDir, 'pki', 'ca.crt'), 'utf8'));
    assert.match(ca.metadata.annotations['kubernetes.io/description'], /^Contains a CA bundle/);
    const all = kubectlOk(c, ['get', 'cm,secret,sa']);
    assert.match(all, /configmap\/kube-root-ca\.crt\s+1\s+/);
    assert.match(all, /NAME\s+SECRETS\s+AGE\nserviceaccount\/bot\s+0\s+\d+s\nserviceaccount\/default\s+0\s+/);
    assert.match(kubectlOk(c, ['describe', 'sa', 'bot']), /Name:\s+bot[\s\S]*Mountable secrets:\s+<none>/);
  });

  it('pods run as the default service account unless they name one', async () => {
    const pod = (name: string, spec: Record<string, unknown> = {}) =>
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'nowhere', containers: [{ name: 'c', image: 'registry.k8s.io/pause' }], ...spec } });
    const a = await request(c, 'POST', '/api/v1/namespaces/default/pods?dryRun=All', pod('sa-a'));
    assert.equal(a.status, 201, a.body);
    assert.equal(a.json().spec.serviceAccountName, 'default');
    assert.equal(a.json().spec.serviceAccount, 'default');
    kubectlOk(c, ['patch', 'sa', 'bot', '-p', '{"imagePullSecrets":[{"name":"pull"}]}']);
    const b = await request(c, 'POST', '/api/v1/namespaces/default/pods?dryRun=All', pod('sa-b', { serviceAccountName: 'bot' }));
    assert.equal(b.status, 201, b.body);
    assert.equal(b.json().spec.serviceAccount, 'bot');
    // As upstream's admission: a pod without imagePullSecrets takes its account's.
    assert.deepEqual(b.json().spec.imagePullSecrets, [{ name: 'pull' }]);
    const ghost = await request(c, 'POST', '/api/v1/namespaces/default/pods?dryRun=All', pod('sa-c', { serviceAccountName: 'ghost' }));
    assert.equal(ghost.status, 403);
    assert.equal(ghost.json().message, 'pods "sa-c" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found');
    // A pod posted right after its namespace waits for the controller's default account, as upstream's does.
    kubectlOk(c, ['create', 'namespace', 'fresh']);
    const fresh = await request(c, 'POST', '/api/v1/namespaces/fresh/pods?dryRun=All', pod('sa-d'));
    assert.equal(fresh.status, 201, fresh.body);
  });

  it('refuses bad keys, bad base64, oversized data and wrong types with upstream words', async () => {
    invalid(kubectl(c, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'k1' }, data: { 'a/b': 'x' } })),
      /The ConfigMap "k1" is invalid: data\[a\/b\]: Invalid value: "a\/b": a valid config key must consist of alphanumeric characters, '-', '_' or '\.'/);
    invalid(kubectl(c, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k2' }, stringData: { '..': 'x' } })),
      /The Secret "k2" is invalid: data\[\.\.\]: Invalid value: "\.\.": must not be '\.\.'/);
    const long = 'k'.repeat(254);
    invalid(kubectl(c, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'k3' }, data: { [long]: 'x' } })),
      /must be no more than 253 characters/);
    const bad64 = await request(c, 'POST', '/api/v1/namespaces/default/secrets', JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k4' }, data: { a: 'not base64!' } }));
    assert.equal(bad64.status, 400);
    assert.equal(bad64.json().message, 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3');
    const typed = await request(c, 'POST', '/api/v1/namespaces/default/secrets', JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k5' }, stringData: { a: 5 } }));
    assert.equal(typed.status, 400);
    assert.equal(typed.json().message, 'Secret in version "v1" cannot be handled as a Secret: json: cannot unmarshal number into Go struct field Secret.stringData of type string');
    const big = await request(c, 'POST', '/api/v1/namespaces/default/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'k6' }, data: { a: 'x'.repeat(1024 * 1024 + 1) } }));
    assert.equal(big.status, 422);
    assert.equal(big.json().message, 'ConfigMap "k6" is invalid: : Too long: may not be more than 1048576 bytes');
    invalid(kubectl(c, ['create', 'secret', 'generic', 'k7', '--type=kubernetes.io/tls', '--from-literal=a=b']),
      /failed to create secret Secret "k7" is invalid: \[data\[tls\.crt\]: Required value, data\[tls\.key\]: Required value\]/);
    assert.equal((await request(c, 'GET', '/readyz')).status, 200);
  });

  it('keeps immutable objects and a Secret type as they are', () => {
    kubectlOk(c, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'frozen' }, data: { a: '1' }, immutable: true }));
    invalid(kubectl(c, ['patch', 'cm', 'frozen', '--type=merge', '-p', '{"data":{"a":"2"}}']),
      /The ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set/);
    // Metadata stays editable.
    kubectlOk(c, ['label', 'cm', 'frozen', 'x=y']);
    invalid(kubectl(c, ['patch', 'secret', 'web', '--type=merge', '-p', '{"type":"Opaque"}']),
      /The Secret "web" is invalid: type: Invalid value: "Opaque": field is immutable/);
    kubectlOk(c, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'frozen' }, stringData: { a: '1' }, immutable: true }));
    invalid(kubectl(c, ['patch', 'secret', 'frozen', '--type=merge', '-p', '{"stringData":{"a":"2"},"immutable":false}']),
      /The Secret "frozen" is invalid: \n\* immutable: Forbidden: field is immutable when `immutable` is set\n\* data: Forbidden: field is immutable when `immutable` is set\n/);
  });
});
