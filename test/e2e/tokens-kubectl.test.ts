// ServiceAccount tokens end to end on a real `kubesvc up`, as a user meets them: kubectl create
// sa / create token, a kubeconfig-less kubectl and @kubernetes/client-node with --token (403 in
// upstream's words, then 200 once a RoleBinding exists), pod-bound tokens dying with their pod,
// TokenReview through kubectl create -f, a legacy token Secret filled by the tokens controller,
// anonymous requests, OIDC discovery, and hostile tokens and bodies (never a 5xx).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import * as k8s from '@kubernetes/client-node';
import { startCluster, kubectl, kubectlOk, kubectlBin, credentials, request, until, type Cluster } from './harness.js';

const issuer = 'https://kubernetes.default.svc.cluster.local';

function claims(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
}

describe('ServiceAccount tokens', () => {
  let c: Cluster;
  let caFile: string;
  /** kubectl with no kubeconfig credentials at all: only --token. */
  const asToken = (token: string, args: string[]) => {
    const r = spawnSync(kubectlBin, ['--kubeconfig=/dev/null', `--server=${c.url}`, `--certificate-authority=${caFile}`, `--token=${token}`, ...args], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, HOME: c.dataDir, KUBECACHEDIR: join(c.dataDir, 'token-cache') },
    });
    return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  /** One HTTPS request with a bearer token and no client certificate. */
  const bearer = (token: string | undefined, method: string, path: string, body?: string, headers: Record<string, string> = {}) =>
    request(c, method, path, body, { anonymous: true, headers: { ...(token !== undefined ? { Authorization: `Bearer ${token}` } : {}), ...headers } });

  before(async () => {
    c = await startCluster();
    caFile = join(c.dataDir, 'ca-for-token.pem');
    writeFileSync(caFile, credentials(c.kubeconfig).ca);
  });
  after(async () => {
    await c?.destroy();
  });

  it('kubectl create token: a JWT of the cluster issuer naming the ServiceAccount; --duration and --audience', () => {
    kubectlOk(c, ['create', 'sa', 'bot']);
    const uid = kubectlOk(c, ['get', 'sa', 'bot', '-o', 'jsonpath={.metadata.uid}']);
    const token = kubectlOk(c, ['create', 'token', 'bot']).trim();
    const cl = claims(token);
    assert.equal(cl.iss, issuer);
    assert.equal(cl.sub, 'system:serviceaccount:default:bot');
    assert.deepEqual(cl.aud, [issuer]);
    assert.equal(cl.exp - cl.iat, 3600);
    assert.deepEqual(cl['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'bot', uid } });
    const asJSON = JSON.parse(kubectlOk(c, ['create', 'token', 'bot', '-o', 'json']));
    assert.equal(asJSON.kind, 'TokenRequest');
    assert.deepEqual(asJSON.spec, { audiences: [issuer], boundObjectRef: null, expirationSeconds: 3600 });
    assert.deepEqual([asJSON.metadata.name, asJSON.metadata.namespace], ['bot', 'default']);
    assert.equal(Date.parse(asJSON.status.expirationTimestamp) / 1000, claims(asJSON.status.token).exp);
    const short = claims(kubectlOk(c, ['create', 'token', 'bot', '--duration', '20m', '--audience', 'vault']).trim());
    assert.equal(short.exp - short.iat, 1200);
    assert.deepEqual(short.aud, ['vault']);
    const tooShort = kubectl(c, ['create', 'token', 'bot', '--duration', '5m']);
    assert.match(tooShort.stderr, /TokenRequest\.authentication\.k8s\.io "" is invalid: spec\.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes/);
    assert.match(kubectl(c, ['create', 'token', 'ghost']).stderr, /serviceaccounts "ghost" not found/);
    assert.match(kubectl(c, ['create', 'token', 'bot', '--bound-object-kind', 'Pod', '--bound-object-name', 'nope']).stderr, /pods "nope" not found/);
  });

  it('a token kubectl uses alone gets upstream\'s 403, then 200 once a RoleBinding grants it (measured)', async () => {
    const token = kubectlOk(c, ['create', 'token', 'bot']).trim();
    const denied = asToken(token, ['get', 'pods']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /Error from server \(Forbidden\): pods is forbidden: User "system:serviceaccount:default:bot" cannot list resource "pods" in API group "" in the namespace "default"/);
    const whoami = asToken(token, ['auth', 'whoami', '-o', 'json']);
    const info = JSON.parse(whoami.stdout).status.userInfo;
    assert.equal(info.username, 'system:serviceaccount:default:bot');
    assert.deepEqual(info.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
    assert.match(info.extra['authentication.kubernetes.io/credential-id'][0], /^JTI=/);

    kubectlOk(c, ['create', 'rolebinding', 'bot-view', '--clusterrole=view', '--serviceaccount=default:bot']);
    const t0 = performance.now();
    let attempts = 0;
    await until('the binding to take effect', () => (attempts++, bearer(token, 'GET', '/api/v1/namespaces/default/pods').then((r) => r.status)), (s) => s === 200, 1000);
    const ms = performance.now() - t0;
    console.log(`# RoleBinding created → token allowed in ${ms.toFixed(0)} ms (${attempts} request(s), each a new TLS connection)`);
    assert.ok(ms < 1000);
    assert.equal(asToken(token, ['get', 'pods']).code, 0);
  });

  it('@kubernetes/client-node with a bearer token: 403 as an ApiException, 200 where bound', async () => {
    kubectlOk(c, ['create', 'sa', 'cn-bot']);
    const token = kubectlOk(c, ['create', 'token', 'cn-bot']).trim();
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: c.url, caData: Buffer.from(credentials(c.kubeconfig).ca).toString('base64') }],
      users: [{ name: 'u', token }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await assert.rejects(core.listNamespacedServiceAccount({ namespace: 'default' }), (e: any) => {
      assert.equal(e.code, 403);
      const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
      assert.equal(body.message, 'serviceaccounts is forbidden: User "system:serviceaccount:default:cn-bot" cannot list resource "serviceaccounts" in API group "" in the namespace "default"');
      return true;
    });
    kubectlOk(c, ['create', 'rolebinding', 'cn-bot-view', '--clusterrole=view', '--serviceaccount=default:cn-bot']);
    const list = await until('cn-bot may list', () => core.listNamespacedServiceAccount({ namespace: 'default' }).catch(() => undefined), (l) => l !== undefined, 2000);
    assert.ok(list!.items.some((sa) => sa.metadata!.name === 'cn-bot'));
  });

  it('a pod-bound token names the pod and stops working (401) once the pod is gone (measured)', async () => {
    kubectlOk(c, ['create', 'sa', 'runner']);
    // Bound to a node that does not exist: the pod is an API object only, nothing runs.
    kubectlOk(c, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'holder' }, spec: { serviceAccountName: 'runner', nodeName: 'no-such-node', containers: [{ name: 'c', image: 'busybox' }] } }));
    const podUID = kubectlOk(c, ['get', 'pod', 'holder', '-o', 'jsonpath={.metadata.uid}']);
    const wrongSA = kubectl(c, ['create', 'token', 'bot', '--bound-object-kind', 'Pod', '--bound-object-name', 'holder']);
    assert.match(wrongSA.stderr, /cannot bind token for serviceaccount "bot" to pod running with serviceaccount "runner"/);
    const token = kubectlOk(c, ['create', 'token', 'runner', '--bound-object-kind', 'Pod', '--bound-object-name', 'holder']).trim();
    assert.deepEqual(claims(token)['kubernetes.io'].pod, { name: 'holder', uid: podUID });
    const who = await bearer(token, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }));
    assert.equal(who.status, 201, who.body);
    assert.deepEqual(who.json().status.userInfo.extra['authentication.kubernetes.io/pod-name'], ['holder']);
    assert.deepEqual(who.json().status.userInfo.extra['authentication.kubernetes.io/pod-uid'], [podUID]);
    // Kubelet's projected-token lifetime (1 h + 7 s) for the API's audience gets a year, with a warning after the hour.
    const kubeletLike = await request(c, 'POST', '/api/v1/namespaces/default/serviceaccounts/runner/token', JSON.stringify({
      apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3607, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'holder', uid: podUID } },
    }));
    assert.equal(kubeletLike.status, 201, kubeletLike.body);
    const extended = claims(kubeletLike.json().status.token);
    assert.equal(extended.exp - extended.iat, 365 * 24 * 3600);
    assert.equal(extended['kubernetes.io'].warnafter - extended.iat, 3607);
    assert.equal(Date.parse(kubeletLike.json().status.expirationTimestamp) / 1000, extended.iat + 3607);
    kubectlOk(c, ['delete', 'pod', 'holder', '--grace-period=0', '--force']);
    const t0 = performance.now();
    const r = await until('the token to be refused', () => bearer(token, 'GET', '/version').then((x) => x.status), (s) => s === 401, 1000);
    console.log(`# pod deleted → its token refused in ${(performance.now() - t0).toFixed(0)} ms`);
    assert.equal(r, 401);
    const body = (await bearer(token, 'GET', '/api/v1/namespaces/default/pods')).json();
    assert.deepEqual(body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  });

  it('TokenReview through kubectl create -f: the user of a good token, upstream\'s error for a bad one', () => {
    const token = kubectlOk(c, ['create', 'token', 'bot']).trim();
    const review = (t: string) => JSON.parse(kubectlOk(c, ['create', '-o', 'json', '-f', '-'], JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: t } })));
    const good = review(token);
    assert.equal(good.status.authenticated, true);
    assert.equal(good.status.user.username, 'system:serviceaccount:default:bot');
    assert.deepEqual(good.status.audiences, [issuer]);
    const bad = review('not.a.token');
    assert.deepEqual(bad.status, { user: {}, error: 'invalid bearer token' });
    const empty = kubectl(c, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: {} }));
    assert.match(empty.stderr, /token is required for TokenReview in authentication/);
  });

  it('a legacy token Secret is filled by the tokens controller, works, and goes with its ServiceAccount', async () => {
    kubectlOk(c, ['create', 'sa', 'legacy']);
    const saUID = kubectlOk(c, ['get', 'sa', 'legacy', '-o', 'jsonpath={.metadata.uid}']);
    kubectlOk(c, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 'legacy-token', annotations: { 'kubernetes.io/service-account.name': 'legacy' } } }));
    const secret = await until('the Secret filled', () => JSON.parse(kubectlOk(c, ['get', 'secret', 'legacy-token', '-o', 'json'])), (s) => s.data?.token !== undefined, 10_000);
    assert.deepEqual(Object.keys(secret.data).sort(), ['ca.crt', 'namespace', 'token']);
    assert.equal(Buffer.from(secret.data.namespace, 'base64').toString(), 'default');
    assert.equal(Buffer.from(secret.data['ca.crt'], 'base64').toString(), credentials(c.kubeconfig).ca);
    assert.equal(secret.metadata.annotations['kubernetes.io/service-account.uid'], saUID);
    const token = Buffer.from(secret.data.token, 'base64').toString();
    assert.deepEqual(claims(token), {
      iss: 'kubernetes/serviceaccount',
      'kubernetes.io/serviceaccount/namespace': 'default',
      'kubernetes.io/serviceaccount/secret.name': 'legacy-token',
      'kubernetes.io/serviceaccount/service-account.name': 'legacy',
      'kubernetes.io/serviceaccount/service-account.uid': saUID,
      sub: 'system:serviceaccount:default:legacy',
    });
    assert.match(asToken(token, ['auth', 'whoami']).stdout, /system:serviceaccount:default:legacy/);
    const today = new Date().toISOString().slice(0, 10);
    await until('the last-used label', () => kubectlOk(c, ['get', 'secret', 'legacy-token', '-o', 'jsonpath={.metadata.labels}']), (l) => l.includes(`"kubernetes.io/legacy-token-last-used":"${today}"`), 5000);
    kubectlOk(c, ['delete', 'sa', 'legacy']);
    await until('the token Secret deleted', () => kubectl(c, ['get', 'secret', 'legacy-token']).code, (code) => code === 1, 10_000);
    assert.equal((await bearer(token, 'GET', '/version')).status, 401);
    // A token Secret for an account that does not exist, or for another account of that name, goes too.
    kubectlOk(c, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 'ghost-token', annotations: { 'kubernetes.io/service-account.name': 'ghost' } } }));
    kubectlOk(c, ['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 'stale-token', annotations: { 'kubernetes.io/service-account.name': 'bot', 'kubernetes.io/service-account.uid': 'not-bots-uid' } } }));
    for (const name of ['ghost-token', 'stale-token']) {
      await until(`${name} deleted`, () => kubectl(c, ['get', 'secret', name]).code, (code) => code === 1, 10_000);
    }
  });

  it('anonymous requests: /version answers, the API is forbidden in upstream\'s words', () => {
    const curl = (path: string) => spawnSync('curl', ['-sk', '-w', '\n%{http_code}', `${c.url}${path}`], { encoding: 'utf8', timeout: 10_000 }).stdout.trim().split('\n');
    const version = curl('/version');
    assert.equal(version.at(-1), '200');
    assert.equal(JSON.parse(version.slice(0, -1).join('\n')).gitVersion, 'v1.32.0');
    const pods = curl('/api/v1/pods');
    assert.equal(pods.at(-1), '403');
    assert.equal(JSON.parse(pods.slice(0, -1).join('\n')).message, 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" at the cluster scope');
  });

  it('OIDC discovery: the issuer and its keys, for service accounts (not for anonymous users)', async () => {
    const token = kubectlOk(c, ['create', 'token', 'bot']).trim();
    const conf = await bearer(token, 'GET', '/.well-known/openid-configuration');
    assert.equal(conf.status, 200);
    assert.equal(conf.headers['cache-control'], 'public, max-age=3600');
    assert.deepEqual(conf.json(), {
      issuer,
      jwks_uri: `${c.url}/openid/v1/jwks`,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    const jwks = await bearer(token, 'GET', '/openid/v1/jwks');
    assert.equal(jwks.headers['content-type'], 'application/jwk-set+json');
    const [key] = jwks.json().keys;
    const kid = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid;
    assert.deepEqual({ ...key, n: undefined }, { use: 'sig', kty: 'RSA', kid, alg: 'RS256', e: 'AQAB', n: undefined });
    assert.equal((await bearer(undefined, 'GET', '/openid/v1/jwks')).status, 403);
  });

  it('hostile tokens and bodies: 401/400/413/422, never a 5xx, and the server keeps answering', async () => {
    const token = kubectlOk(c, ['create', 'token', 'bot']).trim();
    const [h, p, s] = token.split('.') as [string, string, string];
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const tokens = [
      'x', 'a.b', 'a.b.c', '...', `${h}.${p}`, `${h}.${p}.${s}.x`, `${h}.${p}.${s.slice(2)}`, `${h}.${b64({ iss: issuer, exp: 'soon' })}.${s}`,
      `${b64({ alg: 'none' })}.${p}.`, `${h}=.${p}.${s}`, 'A'.repeat(12_000), `${h}.${b64([1, 2])}.${s}`, '%00%ff',
    ];
    for (const t of tokens) {
      const r = await bearer(t, 'GET', '/api/v1/namespaces/default/pods');
      assert.equal(r.status, 401, `${t.slice(0, 40)}: ${r.body}`);
      assert.equal(r.json().message, 'Unauthorized');
    }
    // Past Node's 16 KiB of headers the connection's parser answers first (Go's limit is 1 MiB).
    assert.equal((await bearer('A'.repeat(60_000), 'GET', '/version')).status, 431);
    // Bad credentials are refused before anything, the health checks included.
    assert.equal((await bearer('garbage', 'GET', '/readyz')).status, 401);
    for (const auth of ['Bearer', 'Bearer  ' + token, 'Basic Zm9vOmJhcg==', 'bearer', 'Token abc']) {
      const r = await request(c, 'GET', '/version', undefined, { anonymous: true, headers: { Authorization: auth } });
      assert.ok(r.status < 500, `${auth}: ${r.status}`);
    }
    const tokenPath = '/api/v1/namespaces/default/serviceaccounts/bot/token';
    const tr = (spec: unknown) => JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });
    const cases: [string, string, number, RegExp?][] = [
      ['wrong type', tr({ expirationSeconds: 'long' }), 400, /cannot unmarshal string into Go struct field TokenRequestSpec\.spec\.expirationSeconds of type int64/],
      ['audiences not a list', tr({ audiences: 'a' }), 400],
      ['huge number', tr({ expirationSeconds: 1e30 }), 400],
      ['too long', tr({ expirationSeconds: 2 ** 32 + 1 }), 422, /may not specify a duration larger than 2\^32 seconds/],
      ['negative', tr({ expirationSeconds: -1 }), 422, /may not specify a duration less than 10 minutes/],
      ['bound to a Deployment', tr({ boundObjectRef: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'x' } }), 400, /cannot bind token to object of type apps\/v1, Kind=Deployment/],
      ['a wrong uid', tr({ boundObjectRef: { kind: 'ServiceAccount', apiVersion: 'v1', name: 'bot' } }), 400, /cannot bind token to object of type \/v1, Kind=ServiceAccount/],
      ['another kind', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', spec: {} }), 400],
      ['not an object', '[1,2]', 400],
      ['malformed JSON', '{"spec":', 400],
      ['name mismatch', JSON.stringify({ metadata: { name: 'other' }, spec: {} }), 422, /metadata\.name: Invalid value: "other": must match the service account name if specified/],
      ['4 MiB', JSON.stringify({ spec: { audiences: ['x'.repeat(4 << 20)] } }), 413],
    ];
    for (const [what, body, code, message] of cases) {
      const r = await request(c, 'POST', tokenPath, body);
      assert.equal(r.status, code, `${what}: ${r.body.slice(0, 300)}`);
      if (message) assert.match(r.json().message, message, what);
    }
    const secretUID = kubectlOk(c, ['create', 'secret', 'generic', 'bind-me', '-o', 'jsonpath={.metadata.uid}']);
    const conflict = await request(c, 'POST', tokenPath, tr({ boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 'bind-me', uid: 'not-it' } }));
    assert.equal(conflict.status, 409);
    assert.equal(conflict.json().message, `Operation cannot be fulfilled on Secret "bind-me": the UID in the bound object reference (not-it) does not match the UID in record (${secretUID}). The object might have been deleted and then recreated`);
    const dry = await request(c, 'POST', `${tokenPath}?dryRun=All`, tr({}));
    assert.equal(dry.status, 201);
    assert.equal(claims(dry.json().status.token).sub, 'system:serviceaccount:default:bot');
    for (const [body, code] of [[JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 5 } }), 400], ['{"kind":"TokenReview","apiVersion":"authentication.k8s.io/v1","spec":{"audiences":{}}}', 400]] as const) {
      const r = await request(c, 'POST', '/apis/authentication.k8s.io/v1/tokenreviews', body);
      assert.equal(r.status, code, r.body);
    }
    assert.equal((await request(c, 'GET', '/apis/authentication.k8s.io/v1/tokenreviews')).status, 405);
    assert.equal((await request(c, 'GET', '/readyz')).status, 200);
  });

  it('discovery lists serviceaccounts/token and tokenreviews; kubectl explain knows TokenReview', () => {
    const v1 = JSON.parse(kubectlOk(c, ['get', '--raw', '/api/v1']));
    const token = v1.resources.find((r: { name: string }) => r.name === 'serviceaccounts/token');
    assert.deepEqual({ group: token.group, version: token.version, kind: token.kind, verbs: token.verbs }, { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
    assert.match(kubectlOk(c, ['api-resources', '--api-group=authentication.k8s.io']), /tokenreviews\s+authentication\.k8s\.io\/v1\s+false\s+TokenReview/);
    assert.match(kubectlOk(c, ['explain', 'tokenreview.spec']), /audiences/);
  });
});

describe('--anonymous-auth=false', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster({ args: ['--anonymous-auth=false'] });
  });
  after(async () => {
    await c?.destroy();
  });

  it('answers a request without credentials 401, /version included; the admin kubeconfig still works', async () => {
    for (const path of ['/version', '/api/v1/pods']) {
      const r = await request(c, 'GET', path, undefined, { anonymous: true });
      assert.equal(r.status, 401, path);
      assert.equal(r.json().message, 'Unauthorized');
    }
    assert.equal((await request(c, 'GET', '/api/v1/pods')).status, 200);
  });
});
