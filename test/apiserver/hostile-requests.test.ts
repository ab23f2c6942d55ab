// Hostile and buggy requests on the request path (issue 10, items 1, 2, 3 and 6): each answers a
// 4xx Status (or upstream's exact answer), leaves the object store as it was, and the server
// keeps answering. Paths are sent byte for byte (`curl --path-as-is`).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import { rawRequest, type RawResult } from '../support/raw-request.js';

const svc = (name: string) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: { app: name }, ports: [{ port: 80 }] } });

describe('hostile requests on the request path', () => {
  let t: TestApiServer;
  let target: { url: string; kubeconfig: string };
  const req = (method: string, path: string, body?: string, contentType?: string) =>
    rawRequest(target, method, path, body, contentType ? { contentType } : {});

  /** Names and resourceVersions of everything a request could have touched. */
  async function snapshot(): Promise<string[]> {
    const out: string[] = [];
    for (const path of ['/api/v1/namespaces', '/api/v1/services']) {
      const r = await req('GET', path);
      assert.equal(r.status, 200);
      for (const o of r.json().items) out.push(`${path} ${o.metadata.namespace ?? ''}/${o.metadata.name}@${o.metadata.resourceVersion}`);
    }
    return out.sort();
  }

  function assertStatus(r: RawResult, code: number, reason: string, message?: string | RegExp): void {
    assert.equal(r.status, code, r.body);
    const s = r.json();
    assert.equal(s.kind, 'Status');
    assert.equal(s.code, code);
    assert.equal(s.reason, reason);
    if (typeof message === 'string') assert.equal(s.message, message);
    else if (message) assert.match(s.message, message);
  }

  before(async () => {
    t = await startTestApiServer({ prefix: 'kubesvc-hostile-' });
    target = { url: t.api.url, kubeconfig: t.kubeconfig };
    assert.equal((await req('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'victim' } }))).status, 201);
    assert.equal((await req('POST', '/api/v1/namespaces/victim/services', svc('web'))).status, 201);
  });
  after(async () => t?.stop());

  describe('path segments are validated before routing (IsValidPathSegmentName)', () => {
    const cases: Array<[string, string, number, string, string]> = [
      ['DELETE', '/api/v1/namespaces/victim/services/..', 400, 'BadRequest', `Name parameter invalid: "..": may not be '..'`],
      ['DELETE', '/api/v1/namespaces/victim/services/%2E%2E', 400, 'BadRequest', `Name parameter invalid: "..": may not be '..'`],
      ['DELETE', '/api/v1/namespaces/victim/services/%2e', 400, 'BadRequest', `Name parameter invalid: ".": may not be '.'`],
      ['DELETE', '/api/v1/namespaces/victim/services/./', 400, 'BadRequest', `Name parameter invalid: ".": may not be '.'`],
      ['GET', '/api/v1/namespaces/victim/services/a%2Fb', 400, 'BadRequest', `Name parameter invalid: "a/b": may not contain '/'`],
      ['GET', '/api/v1/namespaces/victim/services/a%25b', 400, 'BadRequest', `Name parameter invalid: "a%b": may not contain '%'`],
      ['GET', '/api/v1/namespaces/victim/services/a%zzb', 400, 'BadRequest', 'invalid URL escape "%zz"'],
      ['GET', '/api/v1/namespaces/victim/services/a%', 400, 'BadRequest', 'invalid URL escape "%"'],
      ['DELETE', '/api/v1/namespaces/..', 400, 'BadRequest', `Name parameter invalid: "..": may not be '..'`],
      // `..` in the resource position names no resource: 404, and the Namespace is untouched
      ['DELETE', '/api/v1/namespaces/victim/..', 404, 'NotFound', 'the server could not find the requested resource'],
      ['GET', '/api/v1/namespaces/%2E%2E/services', 400, 'BadRequest', `Namespace parameter invalid: "..": may not be '..'`],
      ['DELETE', '/api/v1/namespaces/victim/services/web/..', 404, 'NotFound', 'the server could not find the requested resource'],
      ['PUT', '/api/v1/namespaces/victim/services/..', 400, 'BadRequest', `Name parameter invalid: "..": may not be '..'`],
      ['PATCH', '/api/v1/namespaces/victim/services/..', 400, 'BadRequest', `Name parameter invalid: "..": may not be '..'`],
    ];
    for (const [method, path, code, reason, message] of cases) {
      it(`${method} ${path} → ${code}, nothing changed`, async () => {
        const before = await snapshot();
        const r = await req(method, path, method === 'PUT' || method === 'PATCH' ? '{}' : undefined, method === 'PATCH' ? 'application/merge-patch+json' : undefined);
        assertStatus(r, code, reason, message);
        assert.deepEqual(await snapshot(), before);
      });
    }
    it('the Namespace victim and its Service are still there', async () => {
      assert.equal((await req('GET', '/api/v1/namespaces/victim')).status, 200);
      assert.equal((await req('GET', '/api/v1/namespaces/victim/services/web')).status, 200);
    });
  });

  describe('list and watch parameters are validated as upstream validates them', () => {
    const cases: Array<[string, number, string, string | RegExp]> = [
      ['?limit=abc', 400, 'BadRequest', 'strconv.ParseInt: parsing "abc": invalid syntax'],
      ['?limit=99999999999999999999', 400, 'BadRequest', 'strconv.ParseInt: parsing "99999999999999999999": value out of range'],
      ['?timeoutSeconds=1.5', 400, 'BadRequest', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
      ['?resourceVersion=abc', 400, 'BadRequest', 'invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax'],
      ['?resourceVersion=-5', 400, 'BadRequest', 'invalid resource version: resourceVersion: Invalid value: "-5": strconv.ParseUint: parsing "-5": invalid syntax'],
      ['?resourceVersion=1&resourceVersionMatch=Bogus', 422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""'],
      ['?resourceVersionMatch=NotOlderThan', 422, 'Invalid', 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided'],
      ['?resourceVersion=0&resourceVersionMatch=Exact', 422, 'Invalid', /resourceVersionMatch "exact" is forbidden for resourceVersion "0"/],
      ['?sendInitialEvents=true', 422, 'Invalid', /sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list/],
      ['?continue=abc&resourceVersionMatch=NotOlderThan&resourceVersion=1', 422, 'Invalid', /resourceVersionMatch is forbidden when continue is provided/],
      ['?continue=abc&resourceVersion=5', 400, 'BadRequest', 'specifying resource version is not allowed when using continue'],
      ['?continue=%25%25%25', 400, 'BadRequest', /^invalid continue token: continue key is not valid/],
      [`?continue=${Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: -1, start: '/registry/' })).toString('base64url')}`, 400, 'BadRequest', /incorrect encoded start resourceVersion/],
      [`?continue=${Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: 1, start: '/registry/services/specs/victim/../../' })).toString('base64url')}`, 400, 'BadRequest', /^invalid continue token/],
      ['?labelSelector=a%20b%20c', 400, 'BadRequest', /./],
      ['?fieldSelector=spec.bogus%3Dx', 400, 'BadRequest', /field label not supported: spec.bogus/],
      ['?watch=1&timeoutSeconds=abc', 400, 'BadRequest', 'strconv.ParseInt: parsing "abc": invalid syntax'],
      ['?watch=1&resourceVersion=abc', 400, 'BadRequest', /invalid resource version/],
      ['?watch=1&resourceVersionMatch=NotOlderThan', 422, 'Invalid', /resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided/],
      ['?watch=1&sendInitialEvents=true', 422, 'Invalid', /sendInitialEvents requires setting resourceVersionMatch to NotOlderThan/],
      ['?watch=1&sendInitialEvents=true&resourceVersionMatch=Exact', 422, 'Invalid', /Unsupported value: "Exact": supported values: "NotOlderThan"/],
    ];
    for (const [query, code, reason, message] of cases) {
      it(`GET services${query} → ${code}`, async () => {
        const before = await snapshot();
        const r = await req('GET', `/api/v1/namespaces/victim/services${query}`);
        assertStatus(r, code, reason, message);
        assert.deepEqual(await snapshot(), before);
      });
    }

    it('limit=-1 is no limit, as upstream (a non-positive limit does not page)', async () => {
      const r = await req('GET', '/api/v1/services?limit=-1');
      assert.equal(r.status, 200);
      assert.equal(r.json().metadata.continue, undefined);
      assert.ok(r.json().items.length >= 2);
    });

    it('resourceVersionMatch=Exact lists the snapshot at that resourceVersion', async () => {
      const first = await req('POST', '/api/v1/namespaces/victim/services', svc('exact-a'));
      const rv = first.json().metadata.resourceVersion as string;
      assert.equal((await req('POST', '/api/v1/namespaces/victim/services', svc('exact-b'))).status, 201);
      const r = await req('GET', `/api/v1/namespaces/victim/services?resourceVersion=${rv}&resourceVersionMatch=Exact`);
      assert.equal(r.status, 200, r.body);
      assert.equal(r.json().metadata.resourceVersion, rv);
      const names = r.json().items.map((o: any) => o.metadata.name).sort();
      assert.deepEqual(names, ['exact-a', 'web']);
      const now = await req('GET', `/api/v1/namespaces/victim/services?resourceVersion=${rv}&resourceVersionMatch=NotOlderThan`);
      assert.deepEqual(now.json().items.map((o: any) => o.metadata.name).sort(), ['exact-a', 'exact-b', 'web']);
    });

    it('a list from a resourceVersion not reached yet: 504 "Too large resource version" with Retry-After after 3 s', async () => {
      const started = Date.now();
      const r = await req('GET', '/api/v1/namespaces/victim/services?resourceVersion=99999999');
      const waited = Date.now() - started;
      assertStatus(r, 504, 'Timeout', /^Timeout: Too large resource version: 99999999, current: \d+$/);
      assert.equal(r.headers['retry-after'], '1');
      assert.equal(r.json().details.retryAfterSeconds, 1);
      assert.deepEqual(r.json().details.causes, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]);
      assert.ok(waited >= 2900 && waited < 6000, `answered after ${waited} ms`);
    });

    it('a plain watch from a resourceVersion not reached yet is established and sees nothing before it', async () => {
      const w = req('GET', '/api/v1/namespaces/victim/services?watch=1&resourceVersion=99999999&timeoutSeconds=1');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal((await req('POST', '/api/v1/namespaces/victim/services', svc('during-watch'))).status, 201);
      const r = await w;
      assert.equal(r.status, 200);
      assert.equal(r.body, '', 'no event (and no bookmark) before the requested resourceVersion');
    });

    it('a watch-list from a resourceVersion not reached yet ends with one ERROR event carrying the 504', async () => {
      const r = await req('GET', '/api/v1/namespaces/victim/services?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=99999999');
      assert.equal(r.status, 200);
      const events = r.body.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(events.length, 1);
      assert.equal(events[0].type, 'ERROR');
      assert.equal(events[0].object.code, 504);
      assert.match(events[0].object.message, /^Timeout: Too large resource version: 99999999/);
    });

    it('a watch-list from "now" sends the state and the initial-events-end bookmark', async () => {
      const r = await req('GET', '/api/v1/namespaces/victim/services?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1');
      assert.equal(r.status, 200);
      const events = r.body.trim().split('\n').map((l) => JSON.parse(l));
      assert.ok(events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'web'));
      const last = events.at(-1);
      assert.equal(last.type, 'BOOKMARK');
      assert.equal(last.object.metadata.annotations['k8s.io/initial-events-end'], 'true');
    });
  });

  describe('deep bodies end in a 400 before any recursive walk', () => {
    const nest = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const svcWith = (x: string) => `{"apiVersion":"v1","kind":"Service","metadata":{"name":"deep"},"spec":{"ports":[{"port":80}],"x":${x}}}`;
    const tooDeep = /^couldn't get version\/kind; json parse error: invalid character '[{[]' exceeded max depth$/;
    const cases: Array<[string, string, string, string | undefined]> = [
      ['POST 100,000-deep object', 'POST', svcWith(nest(100_000)), undefined],
      ['POST 100,000-deep array', 'POST', svcWith('['.repeat(100_000) + ']'.repeat(100_000)), undefined],
      ['POST just over the limit', 'POST', svcWith(nest(1000)), undefined],
      ['merge patch 100,000 deep', 'PATCH', `{"spec":{"x":${nest(100_000)}}}`, 'application/merge-patch+json'],
      ['strategic merge patch 100,000 deep', 'PATCH', `{"spec":{"x":${nest(100_000)}}}`, 'application/strategic-merge-patch+json'],
      ['JSON patch with a 100,000-deep value', 'PATCH', `[{"op":"add","path":"/spec/x","value":${nest(100_000)}}]`, 'application/json-patch+json'],
    ];
    for (const [what, method, body, type] of cases) {
      it(`${what} → 400`, async () => {
        const before = await snapshot();
        const path = method === 'POST' ? '/api/v1/namespaces/victim/services' : '/api/v1/namespaces/victim/services/web';
        const r = await req(method, path, body, type);
        assertStatus(r, 400, 'BadRequest', tooDeep);
        assert.deepEqual(await snapshot(), before);
      });
    }
    it('YAML nested 100,000 deep → 400', async () => {
      const r = await req('POST', '/api/v1/namespaces/victim/services', `x: ${'['.repeat(100_000)}${']'.repeat(100_000)}`, 'application/yaml');
      assertStatus(r, 400, 'BadRequest', /^error converting YAML to JSON: /);
    });
    it('nesting within the limit is walked without overflowing the stack (never a 5xx)', async () => {
      const r = await req('PATCH', '/api/v1/namespaces/victim/services/web', `{"metadata":{"x":${nest(990)}}}`, 'application/merge-patch+json');
      assert.ok(r.status < 500, r.body.slice(0, 300));
    });
  });

  describe('patches', () => {
    const cases: Array<[string, string, string, number, string, string | RegExp]> = [
      ['JSON patch path without a leading /', 'application/json-patch+json', '[{"op":"replace","path":"spec/ports","value":1}]', 422, 'Invalid', 'the server rejected our request due to an error in our request'],
      ['JSON patch test that fails', 'application/json-patch+json', '[{"op":"test","path":"/spec/type","value":"NodePort"}]', 422, 'Invalid', 'the server rejected our request due to an error in our request'],
      ['JSON patch that is not a list', 'application/json-patch+json', '{"op":"remove"}', 400, 'BadRequest', 'json: cannot unmarshal object into Go value of type jsonpatch.Patch'],
      ['$patch delete in a merge list item without its key', 'application/strategic-merge-patch+json', '{"spec":{"ports":[{"$patch":"delete"}]}}', 400, 'BadRequest', 'map: map[$patch:delete] does not contain declared merge key: port'],
      ['unknown $patch', 'application/strategic-merge-patch+json', '{"spec":{"$patch":"bogus"}}', 400, 'BadRequest', 'unknown patch type: bogus in map: map[$patch:bogus]'],
      ['$retainKeys not a list', 'application/strategic-merge-patch+json', '{"spec":{"$retainKeys":"x"}}', 400, 'BadRequest', 'invalid patch format of retainKeys'],
      ['$setElementOrder not a list', 'application/strategic-merge-patch+json', '{"spec":{"$setElementOrder/ports":"x"}}', 400, 'BadRequest', 'expected a []interface {}, but received a string'],
      ['$setElementOrder of non-maps', 'application/strategic-merge-patch+json', '{"spec":{"$setElementOrder/ports":[1,null]}}', 400, 'BadRequest', 'value for key 0 is not a map'],
      ['$deleteFromPrimitiveList with maps', 'application/strategic-merge-patch+json', '{"metadata":{"finalizers":["a"],"$deleteFromPrimitiveList/finalizers":[{}]}}', 400, 'BadRequest', /list element types are not identical/],
      ['lists of lists', 'application/strategic-merge-patch+json', '{"spec":{"ports":[[1]]}}', 400, 'BadRequest', /list element types are not identical/],
    ];
    for (const [what, type, body, code, reason, message] of cases) {
      it(`${what} → ${code}, nothing changed`, async () => {
        const before = await snapshot();
        const r = await req('PATCH', '/api/v1/namespaces/victim/services/web', body, type);
        assertStatus(r, code, reason, message);
        assert.deepEqual(await snapshot(), before);
      });
    }
    it('a failing JSON patch says why in details.causes', async () => {
      const r = await req('PATCH', '/api/v1/namespaces/victim/services/web', '[{"op":"replace","path":"spec/ports","value":1}]', 'application/json-patch+json');
      assert.deepEqual(r.json().details.causes, [
        { reason: 'FieldValueInvalid', field: '[0]', message: 'invalid JSON pointer in path: "spec/ports": must be empty or begin with "/" (RFC 6901)' },
      ]);
      const svc = (await req('GET', '/api/v1/namespaces/victim/services/web')).json();
      assert.equal(svc.ports, undefined, 'no top-level ports stored');
    });
  });

  describe('get parameters', () => {
    it('resourceVersion=abc on a get → 400', async () => {
      const r = await req('GET', '/api/v1/namespaces/victim/services/web?resourceVersion=abc');
      assertStatus(r, 400, 'BadRequest', /^invalid resource version: /);
    });
    it('a get at a resourceVersion not reached yet → 504 with Retry-After', async () => {
      const r = await req('GET', '/api/v1/namespaces/victim/services/web?resourceVersion=99999999');
      assertStatus(r, 504, 'Timeout', /^Timeout: Too large resource version: 99999999/);
      assert.equal(r.headers['retry-after'], '1');
    });
  });

  describe('delete options', () => {
    it('gracePeriodSeconds=abc → 400, the Service stays', async () => {
      const r = await req('DELETE', '/api/v1/namespaces/victim/services/web?gracePeriodSeconds=abc');
      assertStatus(r, 400, 'BadRequest', 'strconv.ParseInt: parsing "abc": invalid syntax');
      assert.equal((await req('GET', '/api/v1/namespaces/victim/services/web')).status, 200);
    });
    it('propagationPolicy=Bogus → 422 DeleteOptions.meta.k8s.io, the Service stays', async () => {
      const r = await req('DELETE', '/api/v1/namespaces/victim/services/web?propagationPolicy=Bogus');
      assertStatus(r, 422, 'Invalid', 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Bogus": supported values: "Foreground", "Background", "Orphan", "nil"');
      assert.equal((await req('GET', '/api/v1/namespaces/victim/services/web')).status, 200);
    });
  });
});
