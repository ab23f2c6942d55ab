// Join tokens end to end: `kubesvc token create|list|delete` against a real `kubesvc up`, the
// token authenticating as kubeadm's bootstrap tokens do (user system:bootstrap:<id>, groups
// system:bootstrappers and the token's extra groups), refused once deleted or expired, and an
// expired token's Secret removed by the token cleaner. Bad command lines exit 2 with a message.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startCluster, kubesvcBin, kubectlOk, request, until, type Cluster } from './harness.js';

function token(c: Cluster, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [kubesvcBin, 'token', ...args, '--kubeconfig', c.kubeconfig], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Who the API server takes a request carrying only `bearer` to be (SelfSubjectReview), or its HTTP status. */
async function whoami(c: Cluster, bearer: string): Promise<{ status: number; user?: { username: string; groups: string[] } }> {
  const body = JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  const r = await request(c, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', body, { anonymous: true, headers: { Authorization: `Bearer ${bearer}` } });
  return r.status === 201 ? { status: r.status, user: r.json().status.userInfo } : { status: r.status };
}

describe('join tokens (kubesvc token)', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c?.destroy();
  });

  it('create prints a token that authenticates as system:bootstrap:<id> in the bootstrappers groups', async () => {
    const r = token(c, ['create', '--description', 'for node-2']);
    assert.equal(r.code, 0, r.stderr);
    const t = r.stdout.trim();
    assert.match(t, /^[a-z0-9]{6}\.[a-z0-9]{16}$/);
    const who = await whoami(c, t);
    assert.equal(who.status, 201);
    assert.equal(who.user!.username, `system:bootstrap:${t.slice(0, 6)}`);
    assert.deepEqual(who.user!.groups, ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated']);
    // The Secret is kubeadm's: type, name and keys.
    const s = JSON.parse(kubectlOk(c, ['get', 'secret', '-n', 'kube-system', `bootstrap-token-${t.slice(0, 6)}`, '-o', 'json']));
    assert.equal(s.type, 'bootstrap.kubernetes.io/token');
    const data = (k: string) => Buffer.from(s.data[k], 'base64').toString();
    assert.equal(data('token-id'), t.slice(0, 6));
    assert.equal(data('token-secret'), t.slice(7));
    assert.equal(data('usage-bootstrap-authentication'), 'true');
    assert.equal(data('usage-bootstrap-signing'), 'true');
    assert.equal(data('description'), 'for node-2');
    const ttl = Date.parse(data('expiration')) - Date.now();
    assert.ok(ttl > 23.9 * 3600_000 && ttl <= 24 * 3600_000, `expires in ${ttl} ms`);
    // A bootstrapper may not read the cluster: upstream's 403 names the user.
    const list = await request(c, 'GET', '/api/v1/namespaces/kube-system/secrets', undefined, { anonymous: true, headers: { Authorization: `Bearer ${t}` } });
    assert.equal(list.status, 403);
    assert.match(list.json().message, new RegExp(`User "system:bootstrap:${t.slice(0, 6)}" cannot list resource "secrets"`));
  });

  it('list shows each token with its TTL, usages, description and groups; delete refuses it from then on', async () => {
    const given = 'abcdef.0123456789abcdef';
    assert.equal(token(c, ['create', given, '--ttl', '0', '--groups', 'system:bootstrappers:workers']).stdout.trim(), given);
    assert.equal((await whoami(c, given)).user?.groups.includes('system:bootstrappers:workers'), true);
    const out = token(c, ['list']).stdout;
    const lines = out.trimEnd().split('\n');
    assert.match(lines[0]!, /^TOKEN\s+TTL\s+EXPIRES\s+USAGES\s+DESCRIPTION\s+EXTRA GROUPS$/);
    assert.ok(lines.some((l) => /^abcdef\.0123456789abcdef\s+<forever>\s+<never>\s+authentication,signing\s+<none>\s+system:bootstrappers:workers$/.test(l)), out);
    assert.ok(lines.some((l) => /^[a-z0-9]{6}\.[a-z0-9]{16}\s+2[34]h\s+\S+Z\s+authentication,signing\s+for node-2\s+system:bootstrappers:kubeadm:default-node-token$/.test(l)), out);
    const del = token(c, ['delete', 'abcdef']);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout, 'bootstrap token "abcdef" deleted\n');
    await until('the deleted token to be refused', () => whoami(c, given), (w) => w.status === 401, 5000);
    const again = token(c, ['delete', given]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /bootstrap token "abcdef" not found/);
  });

  it('an expired token is refused, and the token cleaner deletes its Secret', async () => {
    const t = token(c, ['create', '--ttl', '2s']).stdout.trim();
    assert.equal((await whoami(c, t)).status, 201);
    const name = `bootstrap-token-${t.slice(0, 6)}`;
    await until('the expired token to be refused', () => whoami(c, t), (w) => w.status === 401, 6000);
    await until(
      'the token cleaner to delete the Secret',
      () => request(c, 'GET', `/api/v1/namespaces/kube-system/secrets/${name}`),
      (r) => r.status === 404,
      6000,
    );
  });

  it('refuses tokens that are not quite right with 401, and keeps serving', async () => {
    const good = token(c, ['create']).stdout.trim();
    const [id, secret] = good.split('.') as [string, string];
    // The last character changed (to one it is not: a secret may well end in x already).
    const other = secret.endsWith('x') ? 'y' : 'x';
    for (const bad of [`${id}.${secret.slice(0, 15)}${other}`, `${id}.${secret}0`, `${id.toUpperCase()}.${secret}`, `${id}:${secret}`, 'zzzzzz.0000000000000000', `${id}.`, '.']) {
      assert.equal((await whoami(c, bad)).status, 401, bad);
    }
    // A Secret shaped like a token but of another type does not authenticate.
    kubectlOk(c, ['create', 'secret', 'generic', '-n', 'kube-system', 'bootstrap-token-qqqqqq', '--from-literal=token-id=qqqqqq', '--from-literal=token-secret=0123456789abcdef', '--from-literal=usage-bootstrap-authentication=true']);
    assert.equal((await whoami(c, 'qqqqqq.0123456789abcdef')).status, 401);
    // Nor does one whose extra groups are not bootstrappers' groups, or that may not authenticate.
    const forged = (name: string, data: Record<string, string>) =>
      request(c, 'POST', '/api/v1/namespaces/kube-system/secrets', JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name }, type: 'bootstrap.kubernetes.io/token', stringData: data }));
    assert.equal((await forged('bootstrap-token-rrrrrr', { 'token-id': 'rrrrrr', 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true', 'auth-extra-groups': 'system:masters' })).status, 201);
    assert.equal((await whoami(c, 'rrrrrr.0123456789abcdef')).status, 401);
    assert.equal((await forged('bootstrap-token-ssssss', { 'token-id': 'ssssss', 'token-secret': '0123456789abcdef', 'usage-bootstrap-signing': 'true' })).status, 201);
    assert.equal((await whoami(c, 'ssssss.0123456789abcdef')).status, 401);
    assert.equal((await request(c, 'GET', '/readyz')).status, 200);
  });

  it('bad command lines exit 2 with what to do', () => {
    const cases: [string[], RegExp][] = [
      [['create', 'NOT-A-TOKEN'], /was not of the form/],
      [['create', '--ttl', 'forever'], /invalid argument "forever" for "--ttl" flag/],
      [['create', '--groups', 'system:masters'], /not a valid bootstrap group/],
      [['create', '--usages', 'root'], /unknown usage "root"/],
      [['delete'], /needs the token or token id/],
      [['delete', '../../x'], /didn't match pattern/],
      [['frobnicate'], /unknown token command/],
    ];
    for (const [args, msg] of cases) {
      const r = token(c, args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, msg);
    }
    const help = token(c, ['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: kubesvc token <create\|list\|delete>/);
  });
});
