// The Kubernetes CEL libraries a CRD's rules may call, table by table after upstream's own tests
// (k8s.io/apiserver/pkg/cel/library ip_test.go, cidr_test.go, format_test.go, urls test cases,
// cel-go ext/sets, strings.quote and format, regex_test.go's find/findAll):
// each expression evaluated in the CRD environment, with the value or the error upstream gives,
// plus rules using them on a served CRD (a failure reads as the rule's message).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { errorString } from '../../../../src/machinery/field.js';
import { CustomResourceVersion, type CustomResourceDefinition } from '../../../../src/api/apiextensions/index.js';
import { celEnvironment } from '../../../../src/api/apiextensions/cel/env.js';
import { rewriteRule } from '../../../../src/api/apiextensions/cel/rewrite.js';
import { widget, widgetCRD } from './fixtures.js';

const evaluate = (expr: string): unknown => celEnvironment().evaluate(rewriteRule(expr), { self: null, oldSelf: null });

/** Validates a Widget with `spec` on create against `crd`, whose rules must compile. */
function createChecker(crd: CustomResourceDefinition): (spec: unknown) => string[] {
  const h = new CustomResourceVersion(crd, crd.spec!.versions![0]!);
  assert.deepEqual(h.rules.errors.map(errorString), []);
  return (spec) => {
    const o = widget(spec);
    h.prepareForCreate(o);
    return h.validate(o).map(errorString);
  };
}

function table(cases: [string, unknown][]): void {
  for (const [expr, want] of cases) {
    if (want instanceof RegExp) assert.throws(() => evaluate(expr), want, expr);
    else assert.deepEqual(evaluate(expr), want, expr);
  }
}

describe('Kubernetes CEL libraries', () => {
  it('ip: parses as netip, refuses zones and IPv4-mapped IPv6, and answers its predicates', () => {
    table([
      ["isIP('1.2.3.4')", true],
      ["isIP('2001:db8::68')", true],
      ["isIP('1.2.3')", false],
      ["isIP('01.2.3.4')", false],
      ["isIP('fe80::1%eth0')", false],
      ["isIP('::ffff:1.2.3.4')", false],
      ["ip('1.2.3.4').family()", 4n],
      ["ip('2001:db8::68').family()", 6n],
      ["ip('127.0.0.1').isLoopback()", true],
      ["ip('::1').isLoopback()", true],
      ["ip('1.2.3.4').isLoopback()", false],
      ["ip('0.0.0.0').isUnspecified()", true],
      ["ip('::').isUnspecified()", true],
      ["ip('224.0.0.1').isLinkLocalMulticast()", true],
      ["ip('ff02::1').isLinkLocalMulticast()", true],
      ["ip('169.254.169.254').isLinkLocalUnicast()", true],
      ["ip('fe80::1').isLinkLocalUnicast()", true],
      ["ip('192.168.0.1').isGlobalUnicast()", true],
      ["ip('255.255.255.255').isGlobalUnicast()", false],
      ["ip('2001:db8::68').isGlobalUnicast()", true],
      ["string(ip('2001:DB8:0:0:0:0:0:68'))", '2001:db8::68'],
      ["ip.isCanonical('2001:db8::68')", true],
      ["ip.isCanonical('2001:DB8::68')", false],
      ["ip.isCanonical('127.0.0.1')", true],
      ["ip('1.2.3.4') == ip('1.2.3.4')", true],
      ["ip('1.2.3.4') == ip('1.2.3.5')", false],
      ["ip('fe80::1%eth0')", /IP address with zone value is not allowed/],
      ["ip('::ffff:1.2.3.4')", /IPv4-mapped IPv6 address is not allowed/],
      ["ip('garbage')", /unable to parse IP/],
    ]);
  });

  it('cidr: need not be masked, contains addresses and other CIDRs, masks', () => {
    table([
      ["isCIDR('192.168.0.0/24')", true],
      ["isCIDR('10.1.2.3/8')", true],
      ["isCIDR('10.0.0.0/33')", false],
      ["isCIDR('10.0.0.0')", false],
      ["isCIDR('2001:db8::/32')", true],
      ["cidr('192.168.0.0/24').containsIP(ip('192.168.0.1'))", true],
      ["cidr('192.168.0.0/24').containsIP('192.168.1.1')", false],
      ["cidr('192.168.0.0/24').containsIP('2001:db8::1')", false],
      ["cidr('192.168.0.0/16').containsCIDR('192.168.10.0/24')", true],
      ["cidr('192.168.0.0/24').containsCIDR(cidr('192.168.0.0/16'))", false],
      ["cidr('2001:db8::/32').containsIP('2001:db8::1')", true],
      ["cidr('192.168.1.5/24').prefixLength()", 24n],
      ["cidr('192.168.1.5/24').ip() == ip('192.168.1.5')", true],
      ["string(cidr('192.168.1.5/24').masked())", '192.168.1.0/24'],
      ["string(cidr('2001:db8:1:2::/32').masked())", '2001:db8::/32'],
      ["cidr('192.168.1.0/24') == cidr('192.168.1.0/24')", true],
      ["cidr('10.0.0.0/33')", /bad bits after slash/],
    ]);
  });

  it('url: an absolute URI or an absolute path, and its parts as Go gives them', () => {
    table([
      ["isURL('https://example.com:8443/a/b?x=1')", true],
      ["isURL('/absolute-path')", true],
      ["isURL('relative/path')", false],
      ["isURL('https://exa mple.com/')", false],
      ["url('https://example.com:8443/a').getScheme()", 'https'],
      ["url('https://example.com:8443/a').getHost()", 'example.com:8443'],
      ["url('https://example.com:8443/a').getHostname()", 'example.com'],
      ["url('https://example.com:8443/a').getPort()", '8443'],
      ["url('https://[::1]:80/path').getHost()", '[::1]:80'],
      ["url('https://[::1]:80/path').getHostname()", '::1'],
      ["url('https://example.com/a%20b').getEscapedPath()", '/a%20b'],
      ["url('/p').getHost()", ''],
      ["url('https://example.com/?k=a&k=b&j=c').getQuery()['k']", ['a', 'b']],
      ["url('https://example.com/?k=a&k=b&j=c').getQuery().size()", 2n],
      ["url('relative')", /URL parse error during conversion from string/],
    ]);
  });

  it('sets: contains, equivalent and intersects with CEL equality', () => {
    table([
      ['sets.contains([1, 2, 3], [2, 3])', true],
      ['sets.contains([1, 2], [3])', false],
      ['sets.contains([1, 2], [])', true],
      ['sets.contains([1], [1.0])', true],
      ["sets.contains([{'a': 1}], [{'a': 1}])", true],
      ['sets.equivalent([1, 2, 2], [2, 1])', true],
      ['sets.equivalent([1, 2], [1])', false],
      ["sets.intersects(['a', 'b'], ['b', 'c'])", true],
      ["sets.intersects(['a'], ['c'])", false],
    ]);
  });

  it('format: named formats validate to none, or to the validator messages', () => {
    table([
      ["format.dns1123Label().validate('my-name').hasValue()", false],
      ["format.dns1123Label().validate('My_Name').value()[0].startsWith(\"a lowercase RFC 1123 label must consist of\")", true],
      ["format.dns1123Subdomain().validate('a.b.c').hasValue()", false],
      ["format.dns1035Label().validate('1abc').hasValue()", true],
      ["format.dns1123LabelPrefix().validate('my-name-').hasValue()", false],
      ["format.qualifiedName().validate('example.com/name').hasValue()", false],
      [`format.labelValue().validate('${'x'.repeat(64)}').hasValue()`, true],
      ["format.uuid().validate('0b1e9a3c-2f4d-4e6f-8a9b-0c1d2e3f4a5b').hasValue()", false],
      ["format.named('dns1123Label').hasValue()", true],
      ["format.named('nope').hasValue()", false],
      ["format.named('labelValue').value().validate('ok').hasValue()", false],
      [`strings.quote('a"b')`, '"a\\"b"'],
    ]);
  });

  it('regex: find and findAll report matches as Go’s FindString/FindAllString, on RE2', () => {
    table([
      ["'abc 123'.find('[0-9]+')", '123'],
      ["'abc'.find('[0-9]+')", ''],
      ["'abc 123 456'.findAll('[0-9]+')", ['123', '456']],
      ["'abc 123 456'.findAll('[0-9]+', 1)", ['123']],
      ["'abc 123 456'.findAll('[0-9]+', 0)", []],
      ["'abc 123 456'.findAll('[0-9]+', -1)", ['123', '456']],
      ["'abc'.findAll('x')", []],
      // Empty matches: none right after a match, and the search moves one character on.
      ["'abc'.findAll('')", ['', '', '', '']],
      ["'baaab'.findAll('a*')", ['', 'aaa', '']],
      // Leftmost-first (Perl) choice, not leftmost-longest; lazy quantifiers; RE2 flags and classes.
      ["'ab'.find('a|ab')", 'a'],
      ["'aaa'.find('a+?')", 'a'],
      ["'xFOOy'.find('(?i)o+')", 'OO'],
      ["'a-b_c'.findAll(r'\\w+')", ['a', 'b_c']],
      ["'ab ba'.findAll(r'\\bb')", ['b']],
      ["'héllo wörld'.findAll('[^ ]+')", ['héllo', 'wörld']],
      ["'😀x😀'.findAll('.')", ['😀', 'x', '😀']],
      ["'line1\\nline2'.findAll('(?m)^line')", ['line', 'line']],
      ["'abc'.find('(')", /Illegal regex: error parsing regexp: missing closing \): `\(`/],
      ["'abc'.findAll('a{2,1}', 1)", /Illegal regex: error parsing regexp: invalid repeat count: `\{2,1\}`/],
    ]);
  });

  it('regex: find stays linear on a pattern that makes a backtracking engine explode', () => {
    const input = `${'a'.repeat(20_000)}!`;
    const started = performance.now();
    const got = celEnvironment().evaluate(rewriteRule("self.find('(a+)+$')"), { self: input, oldSelf: null });
    assert.equal(got, '');
    assert.ok(performance.now() - started < 2000, `took ${performance.now() - started} ms`);
  });

  it('strings: format() with cel-go’s verbs, output and errors; quote; no reverse() before strings v3', () => {
    table([
      ["'%s has %d items'.format(['cart', 3])", 'cart has 3 items'],
      ["'a double substituted with %%s: %s'.format([64.2])", 'a double substituted with %s: 64.2'],
      ["'%s'.format([1000000.0])", '1e+06'],
      ["'%s %s %s'.format([true, null, b'hi'])", 'true null hi'],
      ["'%s'.format([[1, 2.5, 'a', {'b': true, 'a': null}]])", '[1, 2.500000, "a", {"a":null, "b":true}]'],
      ["'%s'.format([type(1)])", 'int'],
      ["'%s'.format([duration('1h45m47s')])", '6347s'],
      ["'%s'.format([[duration('1s'), timestamp('2023-02-03T23:31:20+00:00')]])", '[duration("1s"), timestamp("2023-02-03T23:31:20Z")]'],
      ["'%f'.format([3.14])", '3.140000'],
      ["'%.2f'.format([1234567.891])", '1,234,567.89'],
      ["'%f %f'.format(['NaN', -1.0/0.0])", 'NaN -∞'],
      ["'%e'.format([2.71828])", '2.718280\u202f×\u202f10⁰⁰'],
      ["'%e'.format([0.00012])", '1.200000\u202f×\u202f10⁻⁰⁴'],
      ["'%b %b %x %X %o'.format([5, true, 26, 26, 30])", '101 1 1a 1A 36'],
      ["'%x'.format(['hi'])", '6869'],
      ["'100%%'.format([])", '100%'],
      ["'%d'.format(['x'])", /error during formatting: decimal clause can only be used on integers, was given string/],
      ["'%f'.format([1])", /error during formatting: fixed-point clause can only be used on doubles, was given int/],
      ["'%b'.format(['x'])", /error during formatting: only integers and bools can be formatted as binary, was given string/],
      ["'%d %d'.format([1])", /index 1 out of range/],
      ["'%z'.format([1])", /could not parse formatting clause: unrecognized formatting clause "z"/],
      ["'50%'.format([1])", /unexpected end of string/],
      ["'%.'.format([1.0])", /could not parse formatting clause: error while parsing precision: could not find end of precision specifier/],
      [`strings.quote('a"b\\n\\té')`, '"a\\"b\\n\\té"'],
      ["'abc'.reverse()", /found no matching overload/],
    ]);
  });

  it('serves rules that use them, failing with the rule message', () => {
    const crd = widgetCRD({
      type: 'object',
      properties: { podCIDR: { type: 'string' }, nodeIP: { type: 'string' }, endpoint: { type: 'string' }, zones: { type: 'array', items: { type: 'string' } } },
      'x-kubernetes-validations': [
        { rule: 'isCIDR(self.podCIDR) && cidr(self.podCIDR).containsIP(self.nodeIP)', message: 'nodeIP must be inside podCIDR' },
        { rule: "url(self.endpoint).getScheme() == 'https'", message: 'endpoint must use https' },
        { rule: "sets.contains(['a', 'b', 'c'], self.zones)", message: 'unknown zone' },
      ],
    });
    const check = createChecker(crd);
    assert.deepEqual(check({ podCIDR: '10.0.0.0/8', nodeIP: '10.1.2.3', endpoint: 'https://x', zones: ['a'] }), []);
    assert.deepEqual(check({ podCIDR: '10.0.0.0/8', nodeIP: '192.168.0.1', endpoint: 'http://x', zones: ['z'] }), [
      'spec: Invalid value: "object": nodeIP must be inside podCIDR',
      'spec: Invalid value: "object": endpoint must use https',
      'spec: Invalid value: "object": unknown zone',
    ]);
  });
});

describe('regex and format in a served CRD', () => {
  it('rejects with a messageExpression built by format() from what findAll() found', () => {
    const crd = widgetCRD({
      type: 'object',
      properties: { hosts: { type: 'string', maxLength: 256 } },
      'x-kubernetes-validations': [
        {
          rule: "self.hosts.findAll('[A-Z]+').size() == 0",
          messageExpression: "'hosts must be lower case, found %s'.format([self.hosts.findAll('[A-Z]+', 2)])",
        },
      ],
    });
    const check = createChecker(crd);
    assert.deepEqual(check({ hosts: 'a.example.com,b.example.com' }), []);
    assert.deepEqual(check({ hosts: 'A.example.com,B.example.COM' }), ['spec: Invalid value: "object": hosts must be lower case, found ["A", "B"]']);
  });
});
