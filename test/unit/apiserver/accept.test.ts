// The Accept parser shared by discovery, Table and representation negotiation, read as upstream's goautoneg.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clauseMatches, parseAccept } from '../../../src/apiserver/http/accept.js';

const brief = (h: string) => parseAccept(h).map((c) => [`${c.type}/${c.subType}`, c.q, Object.fromEntries(c.params)]);

test("kubectl's discovery Accept keeps its order and parameters", () => {
  assert.deepEqual(
    brief('application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json'),
    [
      ['application/json', 1, { g: 'apidiscovery.k8s.io', v: 'v2', as: 'APIGroupDiscoveryList' }],
      ['application/json', 1, { g: 'apidiscovery.k8s.io', v: 'v2beta1', as: 'APIGroupDiscoveryList' }],
      ['application/json', 1, {}],
    ],
  );
});

test('orders by q, then concrete before wildcard (type, then subtype); equal clauses keep the order sent', () => {
  assert.deepEqual(
    brief('*/*;q=0.8, text/*, application/yaml;q=0.9, application/json').map((c) => c[0]),
    ['application/json', 'text/*', 'application/yaml', '*/*'],
  );
});

test('reads q as Go would: unparsable values are 0, a bare * is */*, clauses without a / are dropped', () => {
  assert.deepEqual(brief('a/b;q=abc, c/d;q= 0.5, e/f;q=1e999'), [
    ['e/f', Infinity, {}],
    ['a/b', 0, {}],
    ['c/d', 0, {}],
  ]);
  assert.deepEqual(brief('*'), [['*/*', 1, {}]]);
  assert.deepEqual(brief('json, a/b/c, , ;;'), []);
  // A parameter without '=' is skipped; the rest are kept as written (case, quotes).
  assert.deepEqual(brief('Application/JSON;g;V="x"'), [['Application/JSON', 1, { V: '"x"' }]]);
});

test('matches the type itself, type/* and */*, case-sensitively as upstream', () => {
  const [exact, sub, any, upper] = ['application/json', 'application/*', '*/*', 'APPLICATION/JSON'].map((h) => parseAccept(h)[0]!);
  assert.ok(clauseMatches(exact!, 'application/json'));
  assert.ok(clauseMatches(sub!, 'application/yaml'));
  assert.ok(clauseMatches(any!, 'application/yaml'));
  assert.ok(!clauseMatches(exact!, 'application/yaml'));
  assert.ok(!clauseMatches(upper!, 'application/json'));
});
