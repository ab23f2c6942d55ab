// The 403 Status in upstream's words, for each shape of request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { forbidden } from '../../../src/apiserver/auth/forbidden.js';
import { requestAttributes } from '../../../src/apiserver/auth/request-info.js';

const nobody = { name: 'nobody', groups: ['system:authenticated'] };
const status = (method: string, url: string) => forbidden(nobody, requestAttributes(method, url)).toStatus();

test('namespaced list, watch and create', () => {
  assert.deepEqual(status('GET', '/api/v1/namespaces/default/services'), {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'services is forbidden: User "nobody" cannot list resource "services" in API group "" in the namespace "default"',
    reason: 'Forbidden',
    details: { kind: 'services' },
    code: 403,
  });
  assert.equal(
    status('GET', '/api/v1/namespaces/default/services?watch=1').message,
    'services is forbidden: User "nobody" cannot watch resource "services" in API group "" in the namespace "default"',
  );
  assert.equal(
    status('POST', '/apis/apps/v1/namespaces/default/deployments').message,
    'deployments.apps is forbidden: User "nobody" cannot create resource "deployments" in API group "apps" in the namespace "default"',
  );
});

test('a named object, a subresource and the cluster scope', () => {
  const get = status('GET', '/api/v1/namespaces/default/services/web');
  assert.equal(get.message, 'services "web" is forbidden: User "nobody" cannot get resource "services" in API group "" in the namespace "default"');
  assert.deepEqual(get.details, { name: 'web', kind: 'services' });
  const scale = status('PUT', '/apis/apps/v1/namespaces/default/deployments/web/scale');
  assert.equal(
    scale.message,
    'deployments.apps "web" is forbidden: User "nobody" cannot update resource "deployments/scale" in API group "apps" in the namespace "default"',
  );
  assert.deepEqual(scale.details, { name: 'web', group: 'apps', kind: 'deployments' });
  assert.equal(status('GET', '/api/v1/nodes').message, 'nodes is forbidden: User "nobody" cannot list resource "nodes" in API group "" at the cluster scope');
  // A Namespace is cluster-scoped, but upstream's RequestInfo names its own namespace.
  assert.equal(
    status('DELETE', '/api/v1/namespaces/victim').message,
    'namespaces "victim" is forbidden: User "nobody" cannot delete resource "namespaces" in API group "" in the namespace "victim"',
  );
});

test('a non-resource path: `forbidden:` and empty details', () => {
  const root = status('GET', '/');
  assert.equal(root.message, 'forbidden: User "nobody" cannot get path "/"');
  assert.deepEqual(root.details, {});
  assert.equal(status('POST', '/version').message, 'forbidden: User "nobody" cannot post path "/version"');
});
