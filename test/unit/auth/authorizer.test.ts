// The built-in policy's decisions: who may do what before RBAC objects are served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authorizer } from '../../../src/apiserver/auth/authorizer.js';
import { requestAttributes } from '../../../src/apiserver/auth/request-info.js';
import { ruleAllows } from '../../../src/apiserver/auth/rbac-rules.js';
import { certificateUser } from '../../../src/apiserver/auth/x509.js';
import type { UserInfo } from '../../../src/apiserver/auth/user.js';

const authz = new Authorizer();
const may = (u: UserInfo, method: string, url: string) => authz.authorize(u, requestAttributes(method, url));

const nobody = certificateUser({ CN: 'nobody' })!;
const admin = certificateUser({ CN: 'kubernetes-admin', O: 'kubeadm:cluster-admins' })!;
const oldAdmin = certificateUser({ CN: 'kubesvc-admin', O: 'system:masters' })!;
const masterAmongOthers = certificateUser({ CN: 'ops', O: ['team-a', 'system:masters'] })!;
const node = certificateUser({ CN: 'system:node:n1', O: 'system:nodes' })!;
const proxy = certificateUser({ CN: 'system:kube-proxy' })!;
const impostor = certificateUser({ CN: 'kubernetes-admin' })!; // the admin's name without its group

const everything: [string, string][] = [
  ['GET', '/api/v1/namespaces/default/services'],
  ['GET', '/api/v1/namespaces/default/services?watch=1'],
  ['POST', '/api/v1/namespaces/default/services'],
  ['DELETE', '/api/v1/namespaces/victim'],
  ['DELETE', '/api/v1/namespaces/default/services'],
  ['GET', '/api/v1/nodes'],
  ['PUT', '/api/v1/namespaces/default/pods/p/status'],
  ['POST', '/api/v1/namespaces/default/pods/p/exec'],
  ['GET', '/api/v1/namespaces/default/pods/p/exec'],
  ['PUT', '/apis/apps/v1/namespaces/default/deployments/d/scale'],
  ['GET', '/apis/no.such.group/v1/widgets'],
  ['GET', '/'],
  ['GET', '/metrics'],
  ['GET', '/api'],
  ['POST', '/api'],
];

test('the admin kubeconfig identity (kubeadm:cluster-admins) and any system:masters member may do everything', () => {
  for (const u of [admin, oldAdmin, masterAmongOthers]) {
    for (const [m, url] of everything) assert.equal(may(u, m, url), true, `${u.name}: ${m} ${url}`);
  }
});

test('any other authenticated user may read discovery, version and health, and nothing else', () => {
  const allowed: [string, string][] = [
    ['GET', '/api'],
    ['GET', '/api/v1'],
    ['GET', '/apis'],
    ['GET', '/apis/apps'],
    ['GET', '/apis/apps/v1'],
    ['GET', '/version'],
    ['GET', '/version/'],
    ['GET', '/healthz'],
    ['GET', '/livez'],
    ['GET', '/readyz'],
    ['GET', '/openapi/v2'],
    ['GET', '/openapi/v3/api/v1'],
    ['POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'],
    ['POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews'],
    ['POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews'],
  ];
  const refused: [string, string][] = [
    ...everything.filter(([m, url]) => !(m === 'GET' && url === '/api')),
    ['GET', '/api/v1/namespaces/default/services/web'],
    ['GET', '/api/v1/namespaces/kube-system/endpoints'],
    ['GET', '/api/v1/namespaces/default/pods/p/log'],
    ['PUT', '/api/v1/namespaces/victim/finalize'],
    ['GET', '/healthz/etcd'],
    ['GET', '/versionx'],
    ['GET', '/apisx'],
    ['POST', '/version'],
    ['GET', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'],
    ['POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews'],
    // `..` is judged as sent: a resource request, not the discovery path it would normalise to.
    ['GET', '/api/v1/..'],
    ['GET', '/apis/apps/v1/..'],
  ];
  // Identities without a binding of their own get no more than nobody: a node name (upstream
  // leaves system:node unbound, for the Node authorizer), the admin's name without its group.
  for (const u of [nobody, node, impostor]) {
    for (const [m, url] of allowed) assert.equal(may(u, m, url), true, `${u.name}: ${m} ${url}`);
    for (const [m, url] of refused) assert.equal(may(u, m, url), false, `${u.name}: ${m} ${url}`);
  }
});

test('kube-proxy\'s name holds upstream\'s system:node-proxier: watch Services, endpoints and EndpointSlices, nothing more', () => {
  for (const url of ['/api/v1/services?watch=1', '/api/v1/endpoints', '/apis/discovery.k8s.io/v1/endpointslices?watch=true', '/api/v1/nodes/n1']) {
    assert.equal(may(proxy, 'GET', url), true, url);
  }
  assert.equal(may(proxy, 'POST', '/api/v1/namespaces/default/events'), true);
  for (const [m, url] of [['POST', '/api/v1/namespaces/default/services'], ['GET', '/api/v1/namespaces/default/secrets'], ['DELETE', '/api/v1/nodes/n1']] as const) {
    assert.equal(may(proxy, m, url), false, `${m} ${url}`);
  }
});

test('RBAC rule matching: verbs, groups, subresources, names and non-resource URL prefixes', () => {
  const a = (m: string, url: string) => requestAttributes(m, url);
  const scaleAny = { verbs: ['get', 'update'], apiGroups: ['apps'], resources: ['*/scale'] };
  assert.equal(ruleAllows(a('GET', '/apis/apps/v1/namespaces/d/deployments/x/scale'), scaleAny), true);
  assert.equal(ruleAllows(a('GET', '/apis/apps/v1/namespaces/d/deployments/x'), scaleAny), false);
  assert.equal(ruleAllows(a('PATCH', '/apis/apps/v1/namespaces/d/deployments/x/scale'), scaleAny), false);
  assert.equal(ruleAllows(a('GET', '/api/v1/namespaces/d/pods/x/scale'), scaleAny), false, 'another group');
  const podsOnly = { verbs: ['*'], apiGroups: [''], resources: ['pods'] };
  assert.equal(ruleAllows(a('DELETE', '/api/v1/namespaces/d/pods/x'), podsOnly), true);
  assert.equal(ruleAllows(a('GET', '/api/v1/namespaces/d/pods/x/log'), podsOnly), false, 'a subresource is its own resource');
  const named = { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg'] };
  assert.equal(ruleAllows(a('GET', '/api/v1/namespaces/d/configmaps/cfg'), named), true);
  assert.equal(ruleAllows(a('GET', '/api/v1/namespaces/d/configmaps/other'), named), false);
  assert.equal(ruleAllows(a('GET', '/api/v1/namespaces/d/configmaps'), named), false, 'a list names no object');
  assert.equal(ruleAllows(a('GET', '/api/v1/namespaces/d/configmaps?watch=1&fieldSelector=metadata.name=cfg'), { ...named, verbs: ['watch'] }), true);
  const urls = { verbs: ['get'], nonResourceURLs: ['/logs/*', '/metrics'] };
  assert.equal(ruleAllows(a('GET', '/logs/a/b'), urls), true);
  assert.equal(ruleAllows(a('GET', '/metrics'), urls), true);
  assert.equal(ruleAllows(a('GET', '/metrics/x'), urls), false);
  assert.equal(ruleAllows(a('GET', '/api/v1/namespaces/d/pods'), urls), false, 'URL rules never match resources');
});

test('certificate subjects: CN is the user, every O a group, and system:authenticated is added once', () => {
  assert.deepEqual(certificateUser({ CN: 'alice', O: ['dev', 'ops'] }), { name: 'alice', groups: ['dev', 'ops', 'system:authenticated'] });
  assert.deepEqual(certificateUser({ CN: 'bob', O: 'system:authenticated' }), { name: 'bob', groups: ['system:authenticated'] });
  assert.deepEqual(certificateUser({ CN: ['first', 'last'] }), { name: 'last', groups: ['system:authenticated'] });
  assert.equal(certificateUser({ O: 'system:masters' }), undefined, 'no CommonName, no user (not even with system:masters)');
  assert.equal(certificateUser({ CN: '', O: 'system:masters' }), undefined);
  assert.equal(certificateUser(undefined), undefined);
});
