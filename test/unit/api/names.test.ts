// apimachinery's string-format validators: results and upstream's exact messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPortName,
} from '../../../src/api/validation/names.js';
import { cidrContains, isGlobalUnicast, isValidCIDR, isValidIP, parseIPSloppy, validateNonSpecialIP } from '../../../src/api/validation/ip.js';
import { errorString } from '../../../src/machinery/field.js';

describe('DNS names', () => {
  it('DNS-1123 labels', () => {
    for (const ok of ['a', 'ab', 'abc', 'a1', 'a-1', 'a--1--2--b', '0', '01', '123-abc', 'a'.repeat(63)]) assert.deepEqual(isDNS1123Label(ok), [], ok);
    for (const bad of ['', 'A', 'ABC', 'aBc', 'A1', 'A-1', '1-A', '-', 'a-', '-a', '1-', '-1', '_', 'a_', '_a', 'a_b', '1_', '_1', '1_2', '.', 'a.', '.a', '1.', '.1', ' ', 'a ', ' a', 'a b', '1 ', ' 1', '1 2', 'a'.repeat(64)]) {
      assert.notDeepEqual(isDNS1123Label(bad), [], bad);
    }
    assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
    assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
  });

  it('DNS-1123 subdomains', () => {
    for (const ok of ['a', 'a.b.c.d.e', 'aaa.bbb.ccc', 'a1.2b', '11.22.33.44.55', `${'a'.repeat(63)}.${'b'.repeat(63)}`]) assert.deepEqual(isDNS1123Subdomain(ok), [], ok);
    for (const bad of ['', 'A', 'a.B', 'a..b', '.a', 'a.', '-a.b', 'a_b', 'a'.repeat(254)]) assert.notDeepEqual(isDNS1123Subdomain(bad), [], bad);
    assert.deepEqual(isDNS1123Subdomain('Foo'), [
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
  });

  it('DNS-1035 labels must start with a letter', () => {
    for (const ok of ['a', 'ab', 'a1', 'a-1', 'a--1--2--b', 'abc-123']) assert.deepEqual(isDNS1035Label(ok), [], ok);
    for (const bad of ['0', '01', '0a', '123-abc', '-a', 'a-', 'A', 'a.b', '']) assert.notDeepEqual(isDNS1035Label(bad), [], bad);
  });
});

describe('qualified names and label values', () => {
  it('qualified names', () => {
    for (const ok of ['simple', 'now-with-dashes', '1-starts-with-num', '1234', 'simple/simple', 'now-with-dashes/simple', 'now-with-dashes/now-with-dashes', 'now.with.dots/simple', 'now-with.dashes-and.dots/simple', '1-num.2-num/3-num', '1234/5678', '1.2.3.4/5678', 'Uppercase_Is_OK_123', 'example.com/Uppercase_Is_OK_123', 'requests.storage-foo', 'a'.repeat(63), `${'a'.repeat(253)}/${'b'.repeat(63)}`]) {
      assert.deepEqual(isQualifiedName(ok), [], ok);
    }
    for (const bad of ['nospecialchars%^=@', 'cantendwithadash-', '-cantstartwithadash-', 'only/one/slash', 'Example.com/abc', 'example_com/abc', 'example.com/', '/simple', 'a'.repeat(64), `${'a'.repeat(254)}/abc`]) {
      assert.notDeepEqual(isQualifiedName(bad), [], bad);
    }
    assert.deepEqual(isQualifiedName('a/b/c'), [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]);
    assert.deepEqual(isQualifiedName('/simple'), ['prefix part must be non-empty']);
  });

  it('label values', () => {
    for (const ok of ['simple', 'now-with-dashes', '1-starts-with-num', 'end-with-num-1', '1234', '', 'a'.repeat(63), 'Uppercase_Is_OK_123']) assert.deepEqual(isValidLabelValue(ok), [], ok);
    for (const bad of ['nospecialchars%^=@', 'Tama-nui-te-rā.is.Māori.sun', '\\backslashes\\are\\bad', '-starts-with-dash', 'ends-with-dash-', '.starts.with.dot', 'ends.with.dot.', 'a'.repeat(64)]) {
      assert.notDeepEqual(isValidLabelValue(bad), [], bad);
    }
  });
});

describe('IANA_SVC_NAME port names', () => {
  it('accepts names with a letter, lower case, single hyphens', () => {
    for (const ok of ['telnet', 're-mail-ck', 'pop3', 'a', 'a-1', '1-a', 'a-1-b-2-c', '1-a-2-b-3', '123-abc', 'web']) assert.deepEqual(isValidPortName(ok), [], ok);
  });
  it('explains every rule a name breaks, in upstream words', () => {
    assert.deepEqual(isValidPortName('123_abc'), ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']);
    assert.deepEqual(isValidPortName('-web'), ['must not begin or end with a hyphen']);
    assert.deepEqual(isValidPortName('web-'), ['must not begin or end with a hyphen']);
    assert.deepEqual(isValidPortName('a--b'), ['must not contain consecutive hyphens']);
    assert.deepEqual(isValidPortName('1234'), ['must contain at least one letter (a-z)']);
    assert.deepEqual(isValidPortName('Web'), ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']);
    assert.deepEqual(isValidPortName('longerthan15characters'), ['must be no more than 15 characters']);
    assert.deepEqual(isValidPortName(''), [
      'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      'must contain at least one letter (a-z)',
    ]);
  });
});

describe('IP addresses and CIDRs', () => {
  it('parses like ParseIPSloppy', () => {
    for (const ok of ['1.2.3.4', '255.255.255.255', '0.0.0.0', '010.001.002.003', '::', '::1', '2001:db8::ffff', 'fe80::1', '::ffff:1.2.3.4', '1:2:3:4:5:6:7:8']) {
      assert.ok(parseIPSloppy(ok), ok);
    }
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.0.0.1', 'a.b.c.d', '1.2.3.4/32', 'fe80::1%eth0', ':::1', '1:2:3:4:5:6:7:8:9', 'myhost.mydomain']) {
      assert.equal(parseIPSloppy(bad), null, bad);
    }
  });

  it('reports upstream messages', () => {
    assert.deepEqual(isValidIP('spec.clusterIP', '1.2.3').map(errorString), [
      'spec.clusterIP: Invalid value: "1.2.3": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
    assert.deepEqual(isValidCIDR('x', '1.2.3.4/33').map(errorString), [
      'x: Invalid value: "1.2.3.4/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    ]);
    assert.deepEqual(isValidCIDR('x', '10.0.0.0/8'), []);
    assert.deepEqual(isValidCIDR('x', '2001:db8::/64'), []);
    assert.notDeepEqual(isValidCIDR('x', '10.0.0.0'), []);
  });

  it('rejects special addresses for endpoints and external IPs', () => {
    const msgs = (ip: string) => validateNonSpecialIP(ip, 'ip').map((e) => e.detail);
    assert.deepEqual(msgs('0.0.0.0'), ['may not be unspecified (0.0.0.0)']);
    assert.deepEqual(msgs('::'), ['may not be unspecified (::)']);
    assert.deepEqual(msgs('127.0.0.1'), ['may not be in the loopback range (127.0.0.0/8, ::1/128)']);
    assert.deepEqual(msgs('::1'), ['may not be in the loopback range (127.0.0.0/8, ::1/128)']);
    assert.deepEqual(msgs('169.254.169.254'), ['may not be in the link-local range (169.254.0.0/16, fe80::/10)']);
    assert.deepEqual(msgs('fe80::1'), ['may not be in the link-local range (169.254.0.0/16, fe80::/10)']);
    assert.deepEqual(msgs('224.0.0.1'), ['may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)']);
    assert.deepEqual(msgs('ff02::1'), ['may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)']);
    assert.deepEqual(msgs('10.1.2.3'), []);
    assert.deepEqual(msgs('2001:db8::1'), []);
  });

  it('tells global unicast addresses (what the API server proxies to) as Go does, in any spelling', () => {
    for (const ip of ['10.1.2.3', '8.8.8.8', '010.001.002.003', '2001:db8::1', '2001:DB8:0:0:0:0:0:1']) assert.equal(isGlobalUnicast(ip), true, ip);
    for (const ip of ['0.0.0.0', '127.0.0.1', '127.244.1.5', '169.254.1.1', '224.0.0.1', '239.1.2.3', '255.255.255.255', '::', '::1', '0:0:0:0:0:0:0:1', 'fe80::1', 'FE80::1', 'ff02::1', '', 'x', '1.2.3']) {
      assert.equal(isGlobalUnicast(ip), false, ip);
    }
  });

  it('finds an address in a CIDR of its family only', () => {
    assert.equal(cidrContains('127.244.1.0/24', '127.244.1.9'), true);
    assert.equal(cidrContains('127.244.1.0/24', '127.244.2.9'), false);
    assert.equal(cidrContains('10.0.0.0/8', '10.255.255.255'), true);
    assert.equal(cidrContains('0.0.0.0/0', '1.2.3.4'), true);
    assert.equal(cidrContains('10.1.2.3/32', '10.1.2.3'), true);
    assert.equal(cidrContains('10.1.2.3/32', '10.1.2.4'), false);
    assert.equal(cidrContains('2001:db8::/64', '2001:db8::5'), true);
    assert.equal(cidrContains('2001:db8::/64', '2001:db9::5'), false);
    assert.equal(cidrContains('0.0.0.0/0', '::1'), false);
    assert.equal(cidrContains('10.0.0.0/8', 'x'), false);
    assert.equal(cidrContains('nonsense', '10.0.0.1'), false);
  });
});
