// The request path's parsing, unit by unit: raw paths and their segments, name validation,
// query parameters and list options, and the nesting guards in front of the body parsers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pathSegments, requestPath, route as routeIn } from '../../../src/apiserver/http/route.js';
import { builtinRegistry } from '../../../src/apiserver/registry/builtin.js';
import { pathSegmentNameProblems } from '../../../src/api/validation/names.js';
import { Params, queryBool } from '../../../src/apiserver/http/params.js';
import { requestAttributes } from '../../../src/apiserver/auth/request-info.js';
import { parseLogOptions } from '../../../src/streaming/log-options.js';
import { listOptions } from '../../../src/apiserver/http/list-options.js';
import { jsonNestingError, yamlNestingError } from '../../../src/apiserver/http/nesting.js';
import { parseResourceVersion } from '../../../src/apiserver/store/resource-version.js';
import { StatusError } from '../../../src/machinery/status.js';

const registry = builtinRegistry();
const route = (path: string) => routeIn(registry, path);

function statusOf(fn: () => unknown): { code: number; message: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return { code: e.code, message: e.message };
  }
  assert.fail('expected a StatusError');
}

describe('requestPath keeps the path as sent', () => {
  it('does not resolve dot segments, escaped or not', () => {
    assert.equal(requestPath('/api/v1/namespaces/victim/services/..'), '/api/v1/namespaces/victim/services/..');
    assert.equal(requestPath('/api/v1/namespaces/victim/services/%2E%2E?x=1#f'), '/api/v1/namespaces/victim/services/%2E%2E');
    assert.equal(requestPath('https://h:1/api/v1/x/..?y'), '/api/v1/x/..');
    assert.equal(requestPath('*'), '/*');
  });
});

describe('pathSegments', () => {
  it('decodes each segment once, keeps inner empty ones, drops the outer slashes', () => {
    assert.deepEqual(pathSegments('/api/v1/a%2Fb/%252F/'), ['api', 'v1', 'a/b', '%2F']);
    assert.deepEqual(pathSegments('/a//b'), ['a', '', 'b']);
    assert.deepEqual(pathSegments('/'), []);
  });
  it('a malformed escape is a 400 in Go url wording, not a URIError', () => {
    assert.deepEqual(statusOf(() => pathSegments('/a%zzb')), { code: 400, message: 'invalid URL escape "%zz"' });
    assert.deepEqual(statusOf(() => pathSegments('/a%4')), { code: 400, message: 'invalid URL escape "%4"' });
    // well-formed but not UTF-8: decoded bytewise rather than thrown
    assert.deepEqual(pathSegments('/a%C0'), ['aÀ']);
  });
});

describe('names as path segments (IsValidPathSegmentName)', () => {
  it('has upstream messages', () => {
    assert.deepEqual(pathSegmentNameProblems('.'), ["may not be '.'"]);
    assert.deepEqual(pathSegmentNameProblems('..'), ["may not be '..'"]);
    assert.deepEqual(pathSegmentNameProblems('a/%b'), ["may not contain '/'", "may not contain '%'"]);
    assert.deepEqual(pathSegmentNameProblems('a..b'), []);
  });
  it('route refuses them as names and namespaces before any handler runs', () => {
    assert.equal(statusOf(() => route('/api/v1/namespaces/victim/services/..')).message, `Name parameter invalid: "..": may not be '..'`);
    assert.equal(statusOf(() => route('/api/v1/namespaces/%2e%2e/services')).message, `Namespace parameter invalid: "..": may not be '..'`);
    assert.equal(statusOf(() => route('/apis/apps/v1/namespaces/a/deployments/x%2Fy/scale')).message, `Name parameter invalid: "x/y": may not contain '/'`);
    assert.equal(route('/api/v1/namespaces//services').type, 'notFound');
    const ok = route('/api/v1/namespaces/victim/services/web');
    assert.ok(ok.type === 'resource' && ok.name === 'web' && ok.namespace === 'victim');
  });
});

describe('query parameters', () => {
  const p = (q: string) => new Params(new URLSearchParams(q));
  it('booleans as upstream converts them (runtime.Convert_Slice_string_To_bool): only absent, "0" and "false" in any case are false', () => {
    const cases = [
      ['watch', true], ['watch=', true], ['watch=1', true], ['watch=yes', true], ['watch=maybe', true], ['watch=True', true], ['watch=t', true],
      // Not strconv.ParseBool: "f" and "F" are true here, and nothing is an error.
      ['watch=f', true], ['watch=F', true], ['watch=00', true],
      ['watch=0', false], ['watch=FALSE', false], ['watch=False', false], ['watch=fAlSe', false], ['', false],
      // The first value counts, as in the generated conversions.
      ['watch=0&watch=1', false], ['watch=1&watch=0', true],
    ] as const;
    for (const [q, want] of cases) {
      assert.equal(p(q).bool('watch'), want, q);
      assert.equal(queryBool(new URLSearchParams(q).get('watch')), want, q);
      // The authorizer's verb reads it the same way.
      assert.equal(requestAttributes('GET', `/api/v1/namespaces/a/services?${q}`).verb, want ? 'watch' : 'list', q);
    }
  });
  it('pod log booleans with the same rule: follow=maybe follows, follow=False does not', () => {
    const o = parseLogOptions(new URLSearchParams('follow=maybe&previous=False&timestamps'), 'p');
    assert.deepEqual([o.follow, o.previous, o.timestamps], [true, false, true]);
  });
  it('integers in strconv.ParseInt words', () => {
    assert.equal(p('limit=-1').int('limit'), -1);
    assert.equal(p('limit=%2B7').int('limit'), 7);
    // '+' in a query is a space, in Go's url.ParseQuery too
    assert.equal(statusOf(() => p('limit=+7').int('limit')).message, 'strconv.ParseInt: parsing " 7": invalid syntax');
    assert.equal(statusOf(() => p('limit=1e3').int('limit')).message, 'strconv.ParseInt: parsing "1e3": invalid syntax');
    assert.equal(statusOf(() => p('limit=9223372036854775808').int('limit')).message, 'strconv.ParseInt: parsing "9223372036854775808": value out of range');
  });
  it('resourceVersion as the storage versioner parses it', () => {
    assert.equal(parseResourceVersion(''), 0);
    assert.equal(parseResourceVersion('42'), 42);
    assert.equal(statusOf(() => parseResourceVersion('+1')).code, 400);
    assert.match(statusOf(() => parseResourceVersion('18446744073709551616')).message, /value out of range$/);
  });
});

describe('list options (ValidateListOptions, WatchList on)', () => {
  const opts = (q: string, watch = false) => listOptions(new Params(new URLSearchParams(q)), watch);
  it('accepts what clients send', () => {
    assert.deepEqual(opts('resourceVersion=5&resourceVersionMatch=Exact&limit=2'), { resourceVersion: '5', resourceVersionMatch: 'Exact', limit: 2 });
    assert.deepEqual(opts('resourceVersion=0&continue=abc'), { resourceVersion: '0', continue: 'abc' });
    assert.deepEqual(opts('sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true', true), {
      resourceVersionMatch: 'NotOlderThan',
      sendInitialEvents: true,
    });
  });
  it('reports every violated rule at once, as one 422', () => {
    const s = statusOf(() => opts('resourceVersionMatch=Bogus&continue=x'));
    assert.equal(s.code, 422);
    assert.equal(
      s.message,
      'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, ' +
        'resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided, ' +
        'resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""]',
    );
  });
});

describe('nesting guards', () => {
  it('JSON: counts brackets outside strings, with Go\'s message at the first one past the limit', () => {
    assert.equal(jsonNestingError('['.repeat(1000) + ']'.repeat(1000)), undefined);
    assert.equal(jsonNestingError('['.repeat(1001)), "invalid character '[' exceeded max depth");
    assert.equal(jsonNestingError(`{"a":"${'['.repeat(5000)}\\"${'{'.repeat(5000)}"}`), undefined);
  });
  it('YAML: indentation, indicators and flow brackets bound the depth; quotes and comments do not count', () => {
    const deployment = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        args: ["[[[[", \'{{{{\'] # [[[[\n';
    assert.equal(yamlNestingError(deployment), undefined);
    assert.match(yamlNestingError('x: ' + '['.repeat(401)) ?? '', /exceeded max depth of 400/);
    assert.match(yamlNestingError('- '.repeat(401) + 'x') ?? '', /exceeded max depth/);
    let block = '';
    for (let i = 0; i < 500; i++) block += `${' '.repeat(i)}k:\n`;
    assert.match(yamlNestingError(block) ?? '', /exceeded max depth/);
  });
});

describe('fieldManager (ValidateFieldManager)', () => {
  const check = (q: string, kind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' = 'CreateOptions') =>
    new Params(new URLSearchParams(q)).checkFieldManager(kind);
  it('accepts kubectl-style managers, empty and absent', () => {
    for (const q of ['', 'fieldManager=', 'fieldManager=kubectl-client-side-apply', 'fieldManager=my%20tool', `fieldManager=${'m'.repeat(128)}`]) {
      assert.doesNotThrow(() => check(q), q);
    }
  });
  it('refuses more than 128 bytes with a 422 on the options kind', () => {
    assert.throws(() => check(`fieldManager=${'m'.repeat(129)}`, 'PatchOptions'), (e: unknown) => {
      const s = (e as { toStatus(): { code: number; reason: string; message: string } }).toStatus();
      assert.equal(s.code, 422);
      assert.equal(s.reason, 'Invalid');
      assert.match(s.message, /^PatchOptions\.meta\.k8s\.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes/);
      return true;
    });
  });
  it('refuses characters that are not printable, naming them as Go does', () => {
    assert.throws(() => check('fieldManager=a%07b'), /fieldManager: Invalid value: "a\\u0007b": invalid character U\+0007/);
  });
});
