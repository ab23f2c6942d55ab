// Property, over real HTTPS against a real API server: a random JSON value at a random schema
// path of a create body or of a merge / strategic / JSON patch never gets a 5xx; a refusal is a
// Status and leaves the object as it was; whatever is accepted is stored with the schema's types.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { definition, definitionNameFor } from '../../src/api/schema/index.js';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import type { HttpResult } from '../e2e/harness.js';
import { conforms, hostileValue, schemaPaths, withValueAt, type Segment } from '../support/schema-paths.js';

interface Kind {
  gvk: { group: string; version: string; kind: string };
  path: string;
  base: (name: string) => Record<string, unknown>;
}

const kinds: Kind[] = [
  {
    gvk: { group: '', version: 'v1', kind: 'Service' },
    path: '/api/v1/namespaces/default/services',
    base: (name) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: 'a' }, ports: [{ port: 80 }] } }),
  },
  {
    gvk: { group: 'apps', version: 'v1', kind: 'Deployment' },
    path: '/apis/apps/v1/namespaces/default/deployments',
    base: (name) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'a' } },
        template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause' }] } },
      },
    }),
  },
  {
    gvk: { group: '', version: 'v1', kind: 'Pod' },
    path: '/api/v1/namespaces/default/pods',
    base: (name) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause' }] } }),
  },
  {
    gvk: { group: 'apps', version: 'v1', kind: 'ReplicaSet' },
    path: '/apis/apps/v1/namespaces/default/replicasets',
    base: (name) => ({
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'a' } },
        template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause' }] } },
      },
    }),
  },
  {
    gvk: { group: '', version: 'v1', kind: 'Namespace' },
    path: '/api/v1/namespaces',
    base: (name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
  },
  {
    gvk: { group: '', version: 'v1', kind: 'Node' },
    path: '/api/v1/nodes',
    base: (name) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } }),
  },
  {
    gvk: { group: '', version: 'v1', kind: 'Endpoints' },
    path: '/api/v1/namespaces/default/endpoints',
    base: (name) => ({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name }, subsets: [{ addresses: [{ ip: '127.0.0.5' }], ports: [{ port: 80 }] }] }),
  },
  {
    gvk: { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' },
    path: '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices',
    base: (name) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.5'] }],
      ports: [{ name: 'http', port: 80 }],
    }),
  },
  {
    gvk: { group: '', version: 'v1', kind: 'Event' },
    path: '/api/v1/namespaces/default/events',
    base: (name) => ({ apiVersion: 'v1', kind: 'Event', metadata: { name }, involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'R' }),
  },
  {
    gvk: { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' },
    path: '/apis/coordination.k8s.io/v1/namespaces/default/leases',
    base: (name) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: 'h' } }),
  },
];

/** A JSON patch operation replacing or adding `value` at `path` (an RFC 6901 pointer). */
const pointer = (path: Segment[]): string => '/' + path.map((s) => String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Known gap, not this suite's subject: the strategic merge patcher (src/machinery/patch) answers
 * its merge failures ("map: ... does not contain declared merge key: name", "list element types
 * are not identical") as upstream does, a 500 with an empty reason, before any decoding. Issue 10
 * item 3 changes those in the patch machinery; until then they are tolerated here only in that
 * exact shape (and must still change nothing), and listed in the test output.
 */
const smpMergeFailures = new Set<string>();
function smpMergeFailure(r: HttpResult, type: string): boolean {
  if (type !== 'application/strategic-merge-patch+json' || r.status !== 500) return false;
  const s = r.json();
  return s.kind === 'Status' && s.reason === '';
}

describe('random values at random schema paths over HTTPS', () => {
  let t: TestApiServer;
  const checkRefusal = (r: HttpResult, what: string) => {
    assert.ok(r.status >= 400 && r.status < 500, `${what}: ${r.status} ${r.body.slice(0, 500)}`);
    const s = r.json();
    assert.equal(s.kind, 'Status', what);
    assert.ok(typeof s.message === 'string' && s.message.length > 0, what);
  };

  before(async () => {
    t = await startTestApiServer({ prefix: 'kubesvc-typed-prop-' });
  });
  after(async () => {
    await t?.stop();
    if (smpMergeFailures.size) console.log(`strategic merge failures answered 500 (patch machinery): ${[...smpMergeFailures].join(' | ')}`);
  });

  for (const k of kinds) {
    const paths = schemaPaths(k.gvk, 6, 3000).filter((p) => p[0] !== 'apiVersion' && p[0] !== 'kind');
    const root = definition(definitionNameFor(k.gvk)!)!;
    const hasStatus = !!root.properties?.status;

    it(`${k.gvk.kind}: creates never answer 5xx; what is stored has the schema's types`, async () => {
      let n = 0;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...paths), hostileValue, async (path, value) => {
          const name = `p${n++}`;
          const body = withValueAt(k.base(name), path, value) as Record<string, unknown>;
          // The name is the route's; keep it unless the path is about it.
          const r = await t.send('POST', k.path, JSON.stringify(body));
          const what = `POST ${JSON.stringify(path)} = ${JSON.stringify(value)}`;
          if (r.status >= 300) {
            checkRefusal(r, what);
            return;
          }
          const stored = r.json();
          assert.equal(conforms(root, stored, ''), undefined, `${what} stored ${r.body.slice(0, 500)}`);
          await t.send('DELETE', `${k.path}/${encodeURIComponent(stored.metadata.name)}`);
        }),
        { numRuns: 150 },
      );
    });

    it(`${k.gvk.kind}: patches never answer 5xx; a refused patch changes nothing`, async () => {
      const name = 'target';
      assert.equal((await t.send('POST', k.path, JSON.stringify(k.base(name)))).status, 201);
      const types = ['application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json'] as const;
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...paths), hostileValue, fc.constantFrom(...types), fc.boolean(), async (path, value, type, toStatus) => {
          const before = (await t.send('GET', `${k.path}/${name}`)).body;
          // The status subresource takes the same body (only its status part is kept).
          const target = toStatus && hasStatus ? `${k.path}/${name}/status` : `${k.path}/${name}`;
          const patch =
            type === 'application/json-patch+json'
              ? [{ op: 'add', path: pointer(path), value }]
              : withValueAt({}, path, value);
          const r = await t.send('PATCH', target, JSON.stringify(patch), type);
          const what = `PATCH ${target} ${type} ${JSON.stringify(patch)}`;
          if (smpMergeFailure(r, type)) {
            smpMergeFailures.add(r.json().message.replace(/map\[.*\]/, 'map[...]'));
            assert.equal((await t.send('GET', `${k.path}/${name}`)).body, before, `${what} changed the object`);
            return;
          }
          if (r.status >= 300) {
            checkRefusal(r, what);
            assert.equal((await t.send('GET', `${k.path}/${name}`)).body, before, `${what} changed the object`);
            return;
          }
          assert.equal(conforms(root, r.json(), ''), undefined, `${what} stored ${r.body.slice(0, 500)}`);
        }),
        { numRuns: 150 },
      );
      assert.equal((await t.send('GET', '/readyz')).status, 200);
    });
  }
});
