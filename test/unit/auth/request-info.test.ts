// What the authorizer is asked: upstream's RequestInfo for each kind of request line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestAttributes, type RequestAttributes } from '../../../src/apiserver/auth/request-info.js';

type Want = Partial<RequestAttributes>;

const cases: [string, string, Want][] = [
  ['GET', '/api/v1/namespaces/default/services', { isResourceRequest: true, verb: 'list', apiVersion: 'v1', namespace: 'default', resource: 'services', name: '' }],
  ['GET', '/api/v1/namespaces/default/services?watch=true', { verb: 'watch', resource: 'services' }],
  ['GET', '/api/v1/namespaces/default/services?watch=1&resourceVersion=5', { verb: 'watch' }],
  ['GET', '/api/v1/namespaces/default/services?watch=false', { verb: 'list' }],
  ['GET', '/api/v1/namespaces/default/services?watch=0', { verb: 'list' }],
  ['GET', '/api/v1/watch/namespaces/default/services', { verb: 'watch', namespace: 'default', resource: 'services' }],
  ['GET', '/api/v1/namespaces/default/services/web', { verb: 'get', name: 'web', subresource: '' }],
  ['HEAD', '/api/v1/namespaces/default/services/web', { verb: 'get', name: 'web' }],
  ['GET', '/api/v1/namespaces/default/services?fieldSelector=metadata.name%3Dweb&watch=1', { verb: 'watch', name: 'web' }],
  ['GET', '/api/v1/namespaces/default/services?fieldSelector=metadata.name%21%3Dweb', { verb: 'list', name: '' }],
  ['GET', '/api/v1/namespaces/default/services?fieldSelector=metadata.name%3D..', { verb: 'list', name: '' }],
  ['POST', '/api/v1/namespaces/default/services', { verb: 'create', resource: 'services', name: '' }],
  ['PUT', '/api/v1/namespaces/default/services/web', { verb: 'update', name: 'web' }],
  ['PATCH', '/api/v1/namespaces/default/services/web', { verb: 'patch', name: 'web' }],
  ['DELETE', '/api/v1/namespaces/default/services/web', { verb: 'delete', name: 'web' }],
  ['DELETE', '/api/v1/namespaces/default/services', { verb: 'deletecollection', name: '' }],
  ['PUT', '/api/v1/namespaces/default/services/web/status', { verb: 'update', resource: 'services', name: 'web', subresource: 'status' }],
  ['GET', '/api/v1/namespaces/default/pods/p/log', { verb: 'get', resource: 'pods', subresource: 'log' }],
  ['POST', '/api/v1/namespaces/default/pods/p/exec?command=ls', { verb: 'create', resource: 'pods', subresource: 'exec' }],
  ['GET', '/api/v1/namespaces/default/pods/p/exec?command=ls', { verb: 'get', resource: 'pods', subresource: 'exec' }],
  // Cluster-scoped resources and the Namespace object itself.
  ['GET', '/api/v1/nodes', { verb: 'list', namespace: '', resource: 'nodes' }],
  ['GET', '/api/v1/namespaces', { verb: 'list', namespace: '', resource: 'namespaces' }],
  ['GET', '/api/v1/namespaces/victim', { verb: 'get', namespace: 'victim', resource: 'namespaces', name: 'victim' }],
  ['DELETE', '/api/v1/namespaces/victim', { verb: 'delete', namespace: 'victim', resource: 'namespaces', name: 'victim' }],
  ['PUT', '/api/v1/namespaces/victim/finalize', { verb: 'update', resource: 'namespaces', name: 'victim', subresource: 'finalize' }],
  ['GET', '/api/v1/namespaces/victim/status', { verb: 'get', resource: 'namespaces', name: 'victim', subresource: 'status' }],
  // Groups.
  ['GET', '/apis/apps/v1/namespaces/default/deployments/d/scale', { apiGroup: 'apps', apiVersion: 'v1', resource: 'deployments', name: 'd', subresource: 'scale' }],
  ['GET', '/apis/apps/v1/deployments', { apiGroup: 'apps', verb: 'list', namespace: '', resource: 'deployments' }],
  ['GET', '/apis/no.such.group/v9/widgets', { isResourceRequest: true, apiGroup: 'no.such.group', apiVersion: 'v9', resource: 'widgets', verb: 'list' }],
  // `..` is a name here, never the parent: the path is taken as sent, not normalised.
  ['DELETE', '/api/v1/namespaces/victim/services/..', { verb: 'delete', namespace: 'victim', resource: 'services', name: '..' }],
  ['DELETE', '/api/v1/namespaces/victim/services/%2E%2E', { verb: 'delete', resource: 'services', name: '..' }],
  ['GET', '/api/v1/namespaces/default/services/a%zzb', { verb: 'get', resource: 'services', name: 'a%zzb', path: '/api/v1/namespaces/default/services/a%zzb' }],
  // Absolute-form request targets name the same path.
  ['GET', 'https://127.0.0.1:6443/api/v1/namespaces/default/services', { isResourceRequest: true, verb: 'list', resource: 'services', path: '/api/v1/namespaces/default/services' }],
  // Non-resource requests: the lowercase HTTP method on the path.
  ['GET', '/api', { isResourceRequest: false, verb: 'get', path: '/api' }],
  ['GET', '/api/v1', { isResourceRequest: false, path: '/api/v1' }],
  ['GET', '/apis', { isResourceRequest: false }],
  ['GET', '/apis/apps', { isResourceRequest: false }],
  ['GET', '/apis/apps/v1', { isResourceRequest: false, path: '/apis/apps/v1' }],
  ['GET', '/version?timeout=32s', { isResourceRequest: false, verb: 'get', path: '/version' }],
  ['POST', '/openapi/v2', { isResourceRequest: false, verb: 'post' }],
  ['GET', '/', { isResourceRequest: false, path: '/' }],
  ['GET', '/metrics/x/y', { isResourceRequest: false, path: '/metrics/x/y' }],
];

for (const [method, url, want] of cases) {
  test(`${method} ${url}`, () => {
    const got = requestAttributes(method, url);
    const picked = Object.fromEntries(Object.keys(want).map((k) => [k, got[k as keyof RequestAttributes]]));
    assert.deepEqual(picked, want);
  });
}
