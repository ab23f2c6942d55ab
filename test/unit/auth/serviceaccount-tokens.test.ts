// Service-account tokens without a server: the claims TokenRequest and the tokens controller put
// in them, the authenticator's verdicts (with a test clock for expiry), request authentication
// (bearer header, WebSocket subprotocol, anonymous), and JWTs of every broken shape.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { KubeObject } from '../../../src/api/meta.js';
import { Authentication } from '../../../src/apiserver/auth/authentication.js';
import {
  boundClaims,
  defaultIssuer,
  legacyClaims,
  ServiceAccountTokens,
  type ObjectLookup,
} from '../../../src/apiserver/auth/serviceaccount/index.js';
import { parseJWS } from '../../../src/apiserver/auth/serviceaccount/jwt.js';
import { validateTokenRequest } from '../../../src/apiserver/registry/core/serviceaccount-token.js';
import { StatusError } from '../../../src/machinery/status.js';

const keyPem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

function world() {
  const objects = new Map<string, KubeObject>();
  const put = (resource: string, namespace: string | undefined, name: string, uid: string, more: Partial<KubeObject> = {}) =>
    objects.set(`${resource}/${namespace ?? ''}/${name}`, { ...more, metadata: { name, uid, ...(namespace ? { namespace } : {}), ...more.metadata } } as KubeObject);
  const lookup: ObjectLookup = (resource, namespace, name) => objects.get(`${resource}/${namespace ?? ''}/${name}`);
  let now = Math.floor(Date.now() / 1000);
  const tokens = new ServiceAccountTokens({ signingKeyPem: keyPem, lookup, now: () => now });
  put('serviceaccounts', 'default', 'bot', 'sa-uid');
  return { objects, put, tokens, setNow: (t: number) => (now = t), get now() { return now; } };
}

const sa = { namespace: 'default', name: 'bot', uid: 'sa-uid' };

function mint(w: ReturnType<typeof world>, more: Partial<Parameters<typeof boundClaims>[0]> = {}): string {
  return w.tokens.sign(boundClaims({ issuer: defaultIssuer, serviceAccount: sa, audiences: [defaultIssuer], expirationSeconds: 3600, now: w.now, ...more }));
}

function fakeRequest(headers: Record<string, string>): IncomingMessage {
  return { headers, socket: {} } as unknown as IncomingMessage;
}

describe('service-account token claims', () => {
  it('bound tokens carry upstream\'s registered and private claims', () => {
    const c = boundClaims({
      issuer: defaultIssuer, serviceAccount: sa, audiences: ['a'], expirationSeconds: 600, now: 1000,
      pod: { name: 'p', uid: 'pod-uid' }, node: { name: 'n', uid: 'node-uid' },
    });
    assert.equal(c.iss, 'https://kubernetes.default.svc.cluster.local');
    assert.equal(c.sub, 'system:serviceaccount:default:bot');
    assert.deepEqual(c.aud, ['a']);
    assert.deepEqual([c.iat, c.nbf, c.exp], [1000, 1000, 1600]);
    assert.match(c.jti, /^[0-9a-f-]{36}$/);
    assert.deepEqual(c['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'bot', uid: 'sa-uid' }, pod: { name: 'p', uid: 'pod-uid' }, node: { name: 'n', uid: 'node-uid' } });
    const w = boundClaims({ issuer: defaultIssuer, serviceAccount: sa, audiences: ['a'], expirationSeconds: 31536000, warnAfterSeconds: 3607, now: 1000 });
    assert.equal(w['kubernetes.io'].warnafter, 4607);
    assert.throws(() => boundClaims({ issuer: defaultIssuer, serviceAccount: sa, audiences: [], expirationSeconds: 600, secret: { name: 's', uid: 'u' }, pod: { name: 'p', uid: 'u' } }), /one object type/);
  });

  it('legacy tokens carry the flat kubernetes.io/serviceaccount claims and no expiry', () => {
    assert.deepEqual(legacyClaims(sa, 'bot-token'), {
      iss: 'kubernetes/serviceaccount',
      'kubernetes.io/serviceaccount/namespace': 'default',
      'kubernetes.io/serviceaccount/secret.name': 'bot-token',
      'kubernetes.io/serviceaccount/service-account.name': 'bot',
      'kubernetes.io/serviceaccount/service-account.uid': 'sa-uid',
      sub: 'system:serviceaccount:default:bot',
    });
  });

  it('a signed token is a compact RS256 JWS whose kid is the key\'s', () => {
    const w = world();
    const jws = parseJWS(mint(w))!;
    assert.deepEqual(jws.header, { alg: 'RS256', kid: w.tokens.key.keyID });
    assert.match(w.tokens.key.keyID, /^[A-Za-z0-9_-]{43}$/);
    const jwks = w.tokens.jwks() as { keys: Record<string, string>[] };
    assert.equal(jwks.keys[0]!.kid, w.tokens.key.keyID);
    assert.equal(jwks.keys[0]!.e, 'AQAB');
  });
});

describe('ValidateTokenRequest', () => {
  it('refuses less than 10 minutes and more than 2^32 seconds with upstream\'s words', () => {
    const msg = (exp: number) => validateTokenRequest({ metadata: {}, spec: { expirationSeconds: exp } } as never).map((e) => `${e.field}: ${e.detail}`);
    assert.deepEqual(msg(599), ['spec.expirationSeconds: may not specify a duration less than 10 minutes']);
    assert.deepEqual(msg(600), []);
    assert.deepEqual(msg(2 ** 32), []);
    assert.deepEqual(msg(2 ** 32 + 1), ['spec.expirationSeconds: may not specify a duration larger than 2^32 seconds']);
    assert.deepEqual(validateTokenRequest({ metadata: {} } as never), [], 'the default hour');
  });
});

describe('the service-account token authenticator', () => {
  it('names the ServiceAccount with its uid, groups, and the credential id', () => {
    const w = world();
    const r = w.tokens.authenticator.authenticate(mint(w));
    assert.ok(r.ok);
    assert.equal(r.user.name, 'system:serviceaccount:default:bot');
    assert.equal(r.user.uid, 'sa-uid');
    assert.deepEqual(r.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
    assert.match(r.user.extra!['authentication.kubernetes.io/credential-id']![0]!, /^JTI=[0-9a-f-]{36}$/);
    assert.deepEqual(r.audiences, [defaultIssuer]);
  });

  it('an expired token fails after the minute of leeway; a token from the future too', () => {
    const w = world();
    const t = mint(w, { expirationSeconds: 600 });
    w.setNow(w.now + 600 + 59);
    assert.ok(w.tokens.authenticator.authenticate(t).ok, 'within leeway');
    w.setNow(w.now + 2);
    assert.deepEqual(w.tokens.authenticator.authenticate(t), { ok: false, error: 'service account token has expired' });
    const future = mint(w, { now: w.now + 3600 });
    assert.deepEqual(w.tokens.authenticator.authenticate(future), { ok: false, error: 'service account token is not valid yet' });
  });

  it('refuses tokens for other audiences, naming both', () => {
    const w = world();
    const r = w.tokens.authenticator.authenticate(mint(w, { audiences: ['vault', 'x'] }));
    assert.deepEqual(r, { ok: false, error: 'token audiences ["vault" "x"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]' });
    assert.ok(w.tokens.authenticator.authenticate(mint(w, { audiences: ['vault'] }), ['vault']).ok);
  });

  it('a deleted or re-created ServiceAccount takes its tokens with it, at once', () => {
    const w = world();
    const t = mint(w);
    assert.ok(w.tokens.authenticator.authenticate(t).ok);
    w.objects.delete('serviceaccounts/default/bot');
    assert.deepEqual(w.tokens.authenticator.authenticate(t), { ok: false, error: 'serviceaccounts "bot" not found' });
    w.put('serviceaccounts', 'default', 'bot', 'other-uid');
    assert.deepEqual(w.tokens.authenticator.authenticate(t), { ok: false, error: 'service account UID (other-uid) does not match claim (sa-uid)' });
  });

  it('a pod-bound token names the pod and its node, and dies with the pod', () => {
    const w = world();
    w.put('pods', 'default', 'web', 'pod-uid');
    const t = mint(w, { pod: { name: 'web', uid: 'pod-uid' }, node: { name: 'vm', uid: 'node-uid' } });
    const r = w.tokens.authenticator.authenticate(t);
    assert.ok(r.ok);
    assert.deepEqual(r.user.extra?.['authentication.kubernetes.io/pod-name'], ['web']);
    assert.deepEqual(r.user.extra?.['authentication.kubernetes.io/pod-uid'], ['pod-uid']);
    assert.deepEqual(r.user.extra?.['authentication.kubernetes.io/node-name'], ['vm']);
    assert.deepEqual(r.user.extra?.['authentication.kubernetes.io/node-uid'], ['node-uid']);
    w.put('pods', 'default', 'web', 'new-uid');
    assert.deepEqual(w.tokens.authenticator.authenticate(t), { ok: false, error: 'pod UID (new-uid) does not match service account pod ref claim (pod-uid)' });
    w.objects.delete('pods/default/web');
    assert.deepEqual(w.tokens.authenticator.authenticate(t), { ok: false, error: 'service account token has been invalidated' });
  });

  it('a pod being deleted keeps its token for the grace minute, as upstream', () => {
    const w = world();
    const when = (s: number) => new Date(s * 1000).toISOString();
    w.put('pods', 'default', 'web', 'pod-uid', { metadata: { deletionTimestamp: when(w.now - 30) } });
    const t = mint(w, { pod: { name: 'web', uid: 'pod-uid' } });
    assert.ok(w.tokens.authenticator.authenticate(t).ok);
    w.put('pods', 'default', 'web', 'pod-uid', { metadata: { deletionTimestamp: when(w.now - 61) } });
    assert.equal((w.tokens.authenticator.authenticate(t) as { error: string }).error, 'service account token has been invalidated');
  });

  it('node- and secret-bound tokens depend on their object', () => {
    const w = world();
    w.put('nodes', undefined, 'vm', 'node-uid');
    w.put('secrets', 'default', 's', 'secret-uid');
    const byNode = mint(w, { node: { name: 'vm', uid: 'node-uid' } });
    const bySecret = mint(w, { secret: { name: 's', uid: 'secret-uid' } });
    assert.ok(w.tokens.authenticator.authenticate(byNode).ok);
    assert.ok(w.tokens.authenticator.authenticate(bySecret).ok);
    w.put('nodes', undefined, 'vm', 'x');
    w.put('secrets', 'default', 's', 'y');
    assert.equal((w.tokens.authenticator.authenticate(byNode) as { error: string }).error, 'node UID (x) does not match service account node ref claim (node-uid)');
    assert.equal((w.tokens.authenticator.authenticate(bySecret) as { error: string }).error, 'secret UID (y) does not match service account secret ref claim (secret-uid)');
  });

  it('legacy tokens must match the Secret\'s copy', () => {
    const w = world();
    const t = w.tokens.sign(legacyClaims(sa, 'bot-token'));
    assert.deepEqual(w.tokens.authenticator.authenticate(t), { ok: false, error: 'Token has been invalidated' });
    w.put('secrets', 'default', 'bot-token', 's-uid', { data: { token: Buffer.from(t).toString('base64') } } as never);
    const r = w.tokens.authenticator.authenticate(t);
    assert.ok(r.ok);
    assert.equal(r.user.name, 'system:serviceaccount:default:bot');
    assert.equal(r.user.extra, undefined);
    w.put('secrets', 'default', 'bot-token', 's-uid', { data: { token: 'eA==' } } as never);
    assert.deepEqual(w.tokens.authenticator.authenticate(t), { ok: false, error: "Token does not match server's copy" });
    const data = { token: Buffer.from(t).toString('base64') };
    w.put('secrets', 'default', 'bot-token', 's-uid', { data, metadata: { labels: { 'kubernetes.io/legacy-token-invalid-since': '2026-01-01' } } } as never);
    assert.deepEqual(w.tokens.authenticator.authenticate(t), { ok: false, error: 'Token has been invalidated' });
  });

  it('a legacy token\'s use is recorded once a day on its Secret', () => {
    const w = world();
    const used: string[] = [];
    const tokens = new ServiceAccountTokens({
      signingKeyPem: keyPem,
      lookup: (r, ns, n) => w.objects.get(`${r}/${ns ?? ''}/${n}`),
      now: () => w.now,
      markLegacyTokenUsed: (ns, name, today) => used.push(`${ns}/${name} ${today}`),
    });
    const t = tokens.sign(legacyClaims(sa, 'bot-token'));
    const today = new Date(w.now * 1000).toISOString().slice(0, 10);
    w.put('secrets', 'default', 'bot-token', 's-uid', { data: { token: Buffer.from(t).toString('base64') } } as never);
    assert.ok(tokens.authenticator.authenticate(t).ok);
    assert.deepEqual(used, [`default/bot-token ${today}`]);
    w.put('secrets', 'default', 'bot-token', 's-uid', { data: { token: Buffer.from(t).toString('base64') }, metadata: { labels: { 'kubernetes.io/legacy-token-last-used': today } } } as never);
    assert.ok(tokens.authenticator.authenticate(t).ok);
    assert.equal(used.length, 1, 'already marked today');
  });

  it('a token signed by another key fails with go-jose\'s error; tokens of other issuers are not ours', () => {
    const w = world();
    const other = new ServiceAccountTokens({ lookup: () => undefined });
    const forged = other.sign(boundClaims({ issuer: defaultIssuer, serviceAccount: sa, audiences: [defaultIssuer], expirationSeconds: 3600 }));
    assert.deepEqual(w.tokens.authenticator.authenticate(forged), { ok: false, error: 'go-jose/go-jose: error in cryptographic primitive' });
    const foreign = w.tokens.sign({ iss: 'https://accounts.example.com', sub: 'x' });
    assert.deepEqual(w.tokens.authenticator.authenticate(foreign), { ok: false });
  });

  it('malformed JWTs of every shape are refused without a throw', () => {
    const w = world();
    const good = mint(w);
    const [h, p, s] = good.split('.') as [string, string, string];
    const b64 = (o: unknown) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');
    const shapes = [
      '', '.', '..', '...', 'a', 'a.b', 'a.b.c', 'a.b.c.d', `${h}.${p}`, `${h}.${p}.${s}.`, `${h}.${p}.`, `.${p}.${s}`,
      `${h}=.${p}.${s}`, `${h}.${p}.${s}==`, `${h}.${p}.!!!`, `${b64('null')}.${p}.${s}`, `${b64('[]')}.${p}.${s}`, `${b64('{')}.${p}.${s}`,
      `${h}.${b64('"str"')}.${s}`, `${h}.${b64({ iss: defaultIssuer })}.${s}`, `${b64({ alg: 'none' })}.${p}.`, `${b64({ alg: 'HS256' })}.${p}.${s}`,
      `${h}.${b64({ iss: defaultIssuer, aud: 5 })}.${s}`, 'x'.repeat(100_000), `${h}.${p}.${s.slice(0, -2)}`, '\u0000.\u0000.\u0000', 'ü.ö.ä',
    ];
    for (const t of shapes) {
      const r = w.tokens.authenticator.authenticate(t);
      assert.equal(r.ok, false, JSON.stringify(t.slice(0, 40)));
    }
  });
});

describe('request authentication', () => {
  const setup = () => {
    const w = world();
    return { w, auth: new Authentication(w.tokens.authenticator, true), strict: new Authentication(w.tokens.authenticator, false) };
  };
  const status = (fn: () => unknown): number => {
    try {
      fn();
      return 200;
    } catch (e) {
      assert.ok(e instanceof StatusError);
      assert.deepEqual(e.toStatus(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
      return e.code;
    }
  };

  it('no credentials: system:anonymous in system:unauthenticated, or 401 with --anonymous-auth=false', () => {
    const { auth, strict } = setup();
    assert.deepEqual(auth.authenticate(fakeRequest({})), { name: 'system:anonymous', groups: ['system:unauthenticated'] });
    assert.deepEqual(auth.authenticate(fakeRequest({ authorization: 'Basic abc' })).name, 'system:anonymous');
    assert.deepEqual(auth.authenticate(fakeRequest({ authorization: 'Bearer' })).name, 'system:anonymous');
    assert.equal(status(() => strict.authenticate(fakeRequest({}))), 401);
  });

  it('a bearer token names its ServiceAccount; a bad one is 401, never anonymous', () => {
    const { w, auth } = setup();
    const t = mint(w);
    assert.equal(auth.authenticate(fakeRequest({ authorization: `Bearer ${t}` })).name, 'system:serviceaccount:default:bot');
    assert.equal(auth.authenticate(fakeRequest({ authorization: `bEaReR ${t}` })).name, 'system:serviceaccount:default:bot');
    for (const bad of ['Bearer garbage', 'Bearer a.b.c', `Bearer ${t}x`, `Bearer ${'A'.repeat(70_000)}`]) {
      assert.equal(status(() => auth.authenticate(fakeRequest({ authorization: bad }))), 401, bad.slice(0, 30));
    }
  });

  it('a token in a WebSocket subprotocol is taken and removed from the offer', () => {
    const { w, auth } = setup();
    const t = mint(w);
    const proto = `base64url.bearer.authorization.k8s.io.${Buffer.from(t).toString('base64url')}`;
    const req = fakeRequest({ upgrade: 'websocket', 'sec-websocket-protocol': `v5.channel.k8s.io, ${proto}` });
    assert.equal(auth.authenticate(req).name, 'system:serviceaccount:default:bot');
    assert.equal(req.headers['sec-websocket-protocol'], 'v5.channel.k8s.io');
    const alone = fakeRequest({ upgrade: 'websocket', 'sec-websocket-protocol': proto });
    assert.equal(status(() => auth.authenticate(alone)), 401, 'missing additional subprotocol');
    const twice = fakeRequest({ upgrade: 'websocket', 'sec-websocket-protocol': `v5.channel.k8s.io, ${proto}, ${proto}` });
    assert.equal(status(() => auth.authenticate(twice)), 401);
    const badBase64 = fakeRequest({ upgrade: 'websocket', 'sec-websocket-protocol': 'v5.channel.k8s.io, base64url.bearer.authorization.k8s.io.%%%' });
    assert.equal(status(() => auth.authenticate(badBase64)), 401);
  });

  it('TokenReview answers: user and audiences, or upstream\'s aggregated error', () => {
    const { w, auth } = setup();
    const ok = auth.reviewToken(mint(w), undefined);
    assert.equal(ok.authenticated, true);
    assert.equal(ok.user?.name, 'system:serviceaccount:default:bot');
    assert.deepEqual(auth.reviewToken('garbage', undefined), { authenticated: false, error: 'invalid bearer token' });
    const expired = mint(w, { now: w.now - 7200, expirationSeconds: 600 });
    assert.deepEqual(auth.reviewToken(expired, undefined), { authenticated: false, error: '[invalid bearer token, service account token has expired]' });
    assert.deepEqual(auth.reviewToken(mint(w, { audiences: ['vault'] }), ['vault']).audiences, ['vault']);
  });
});

describe('the signing key on disk (kubeadm\'s sa.key / sa.pub)', () => {
  it('is RSA 2048, private 0600, and kept across restarts so earlier tokens stay valid', async () => {
    const { mkdtempSync, rmSync, statSync, readFileSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createPrivateKey, createPublicKey } = await import('node:crypto');
    const { ensureServiceAccountKey } = await import('../../../src/apiserver/pki.js');
    const dir = mkdtempSync(join(tmpdir(), 'tokens-sakey-'));
    try {
      const first = await ensureServiceAccountKey(dir);
      const key = createPrivateKey(first);
      assert.equal(key.asymmetricKeyType, 'rsa');
      assert.equal(key.asymmetricKeyDetails?.modulusLength, 2048);
      assert.equal(statSync(join(dir, 'pki', 'sa.key')).mode & 0o777, 0o600);
      assert.equal(createPublicKey(readFileSync(join(dir, 'pki', 'sa.pub'), 'utf8')).export({ format: 'jwk' }).n, createPublicKey(key).export({ format: 'jwk' }).n);
      const before = new ServiceAccountTokens({ signingKeyPem: first, lookup: (r, ns, n) => (r === 'serviceaccounts' && ns === 'default' && n === 'bot' ? ({ metadata: { name: 'bot', uid: 'sa-uid' } } as KubeObject) : undefined) });
      const token = before.sign(boundClaims({ issuer: defaultIssuer, serviceAccount: sa, audiences: [defaultIssuer], expirationSeconds: 3600 }));
      const again = await ensureServiceAccountKey(dir);
      assert.equal(again, first);
      const after = new ServiceAccountTokens({ signingKeyPem: again, lookup: (r) => (r === 'serviceaccounts' ? ({ metadata: { name: 'bot', uid: 'sa-uid' } } as KubeObject) : undefined) });
      assert.ok(after.authenticator.authenticate(token).ok);
      writeFileSync(join(dir, 'pki', 'sa.key'), 'garbage');
      assert.notEqual(await ensureServiceAccountKey(dir), first, 'a damaged key is replaced');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
