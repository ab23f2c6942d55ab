// Property: whatever request line a CN=nobody client sends, if it is let through, the router does
// not hand it to a resource handler. Targets are built from the pieces that confuse paths
// (`..`, `.`, `\`, escaped `/` and `.`, doubled slashes) mixed with real API segments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import fc from 'fast-check';
import { authorize } from '../../../src/apiserver/auth/index.js';
import { requestAttributes } from '../../../src/apiserver/auth/request-info.js';
import { route as routeIn } from '../../../src/apiserver/http/route.js';
import { builtinRegistry } from '../../../src/apiserver/registry/builtin.js';
import { StatusError } from '../../../src/machinery/status.js';

const registry = builtinRegistry();
const route = (path: string) => routeIn(registry, path);

const nobody = { name: 'nobody', groups: ['system:authenticated'] };

// Real resource paths, their separators swapped for look-alikes, with detours through discovery.
const resourcePath = fc.constantFrom(
  ['api', 'v1', 'namespaces', 'default', 'services'],
  ['api', 'v1', 'namespaces', 'default', 'services', 'web'],
  ['api', 'v1', 'nodes'],
  ['api', 'v1', 'namespaces', 'victim'],
  ['apis', 'apps', 'v1', 'namespaces', 'default', 'deployments', 'd', 'scale'],
  ['api', 'v1', 'watch', 'namespaces', 'default', 'pods'],
);
// The first k separators stay `/`, the rest become one look-alike: a path can then read as
// discovery as sent and as a resource once normalised.
const lookAlike = fc.constantFrom('\\', '//', '/./', '/%2e/', '/x/../', '/x/%2e%2e/', '\\.\\', '%2f', '%5c', '/;/', '/');
const separators = fc.tuple(fc.integer({ min: 0, max: 8 }), lookAlike).map(([k, alt]) => Array.from({ length: 8 }, (_, i) => (i < k ? '/' : alt)));
const detour = fc.oneof(
  { arbitrary: fc.constant(''), weight: 3 },
  { arbitrary: fc.constantFrom('/api/..', '/apis/..', '/version/..', '/api/v1/..', '/apis/apps/..', '/openapi/v2/..', '/api/%2e%2e', '/api\\..'), weight: 1 },
);
const oddSegment = fc.oneof(fc.constantFrom('..', '.', '%2e%2e', '%2E.', '', '%zz', 'a%2fb'), fc.stringMatching(/^[a-z0-9.%\\-]{1,6}$/));
const target = fc
  .tuple(detour, resourcePath, separators, fc.option(oddSegment), fc.constantFrom('', '?watch=1', '?fieldSelector=metadata.name%3Dx'))
  .map(([pre, parts, seps, odd, query]) => {
    const path = parts.map((p, i) => (i === 0 ? '' : seps[i - 1]) + p).join('');
    return `${pre}/${path}${odd === null ? '' : '/' + odd}${query}`;
  });
// Discovery is only ever readable, so reads are where a confusion would show.
const method = fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS');

function routesToResource(url: string): boolean {
  try {
    return route(new URL(url, 'https://kubesvc').pathname).type === 'resource';
  } catch {
    return false; // the router refuses it (malformed escape): no handler runs
  }
}

test('CN=nobody never reaches a resource handler, whatever the path', () => {
  fc.assert(
    fc.property(method, target, (m, url) => {
      const req = { method: m, url, headersDistinct: {} } as unknown as IncomingMessage;
      let allowed = true;
      try {
        authorize(req, nobody);
      } catch (e) {
        assert.ok(e instanceof StatusError && e.code === 403, `${m} ${url}: ${String(e)}`);
        allowed = false;
      }
      if (allowed) assert.equal(routesToResource(url), false, `${m} ${url} was allowed and routes to a resource`);
    }),
    { numRuns: 5000, seed: 42 },
  );
});

test('requestAttributes takes any request target without throwing', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), fc.string({ maxLength: 8 }), (url, m) => {
      const a = requestAttributes(m, url);
      assert.equal(typeof a.verb, 'string');
    }),
    { numRuns: 3000, seed: 7 },
  );
});
