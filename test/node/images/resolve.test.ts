import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { candidateNames, dnsConfigFromEnv, podDNSEnv, resolveHost } from '../../../src/node/images/index.js';
import { startDNSStub, type DNSStub } from './dns-stub.js';
import { testSubnet } from './helpers.js';

const ip = testSubnet(1);

describe('pod DNS config', () => {
  it('reads KUBESVC_DNS_SERVER and KUBESVC_DNS_SEARCH', () => {
    assert.equal(dnsConfigFromEnv({}), undefined);
    assert.deepEqual(dnsConfigFromEnv({ KUBESVC_DNS_SERVER: '127.96.0.10', KUBESVC_DNS_SEARCH: 'default.svc.cluster.local,svc.cluster.local,cluster.local' }), {
      servers: ['127.96.0.10'],
      search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
      ndots: 5,
    });
  });
  it('podDNSEnv round-trips through dnsConfigFromEnv', () => {
    const env = podDNSEnv(['127.96.0.10'], ['default.svc.cluster.local', 'svc.cluster.local']);
    assert.deepEqual(env, { KUBESVC_DNS_SERVER: '127.96.0.10', KUBESVC_DNS_SEARCH: 'default.svc.cluster.local,svc.cluster.local' });
    assert.deepEqual(dnsConfigFromEnv(env)?.search, ['default.svc.cluster.local', 'svc.cluster.local']);
  });
  it('tries search suffixes first below ndots, the name first at or above it', () => {
    const search = ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];
    assert.deepEqual(candidateNames('web', search, 5), ['web.ns.svc.cluster.local', 'web.svc.cluster.local', 'web.cluster.local', 'web']);
    assert.deepEqual(candidateNames('a.b.c.d.e.f', search, 5), ['a.b.c.d.e.f', 'a.b.c.d.e.f.ns.svc.cluster.local', 'a.b.c.d.e.f.svc.cluster.local', 'a.b.c.d.e.f.cluster.local']);
    assert.deepEqual(candidateNames('web.ns.svc.cluster.local.', search, 5), ['web.ns.svc.cluster.local']);
  });
});

describe('resolveHost against a DNS server', () => {
  let stub: DNSStub;
  before(async () => {
    stub = await startDNSStub(ip(53), { 'web.ns.svc.cluster.local': '127.96.0.42', 'other.cluster.local': '127.96.0.43' });
  });
  after(() => stub.close());

  it('expands short names with the search list', async () => {
    const cfg = { servers: [`${ip(53)}:${stub.port}`], search: ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 };
    assert.equal(await resolveHost('web', cfg), '127.96.0.42');
    assert.equal(await resolveHost('web.ns', cfg), '127.96.0.42');
    assert.equal(await resolveHost('web.ns.svc.cluster.local', cfg), '127.96.0.42');
    assert.equal(await resolveHost('other', cfg), '127.96.0.43');
    assert.equal(await resolveHost('127.0.0.9', cfg), '127.0.0.9');
    await assert.rejects(resolveHost('missing', cfg), { message: `lookup missing on ${ip(53)}:${stub.port}: no such host` });
  });
  it('uses the system resolver without config', async () => {
    assert.equal(await resolveHost('localhost', undefined), '127.0.0.1');
    assert.equal(await resolveHost('127.1.2.3', undefined), '127.1.2.3');
  });
});
