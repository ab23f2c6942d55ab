// The server as dig (Debian's dnsutils) sees it. Skipped, saying so, where dig is not installed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { startDNSWithIndex, type DNSHandle } from '../../src/dns/index.js';
import { staticIndex } from '../../src/dns/memory-index.js';
import { BIG_ENDPOINTS, endpointSlices, namespaces, pods, services } from './fixture.js';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';

const hasDig = spawnSync('dig', ['-v'], { stdio: 'ignore' }).status === 0;
const skip = hasDig ? false : 'dig is not installed (apt-get install -y dnsutils)';

let dns: DNSHandle;
let up: FakeUpstream;

before(async () => {
  if (!hasDig) return;
  up = await startFakeUpstream({ host: '127.0.0.2', records: { 'my.database.example.com A': [{ name: 'my.database.example.com', type: 'A', ttl: 60, data: '192.0.2.50' }] } });
  dns = await startDNSWithIndex(staticIndex({ namespaces, services, endpointSlices, pods }), {
    listen: [{ host: '127.0.0.1', port: 0 }],
    upstreams: [`${up.host}:${up.port}`],
  });
});
after(async () => {
  if (!hasDig) return;
  await dns.stop();
  await up.stop();
});

function dig(...args: string[]): Promise<string> {
  const { host, port } = dns.addresses[0]!;
  return new Promise((resolve, reject) =>
    execFile('dig', [`@${host}`, '-p', String(port), '+time=2', '+tries=1', ...args], { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
  );
}
const lines = (s: string) => s.trim().split('\n').filter(Boolean).sort();

test('dig: A, SRV, TXT, PTR with +short', { skip }, async () => {
  assert.deepEqual(lines(await dig('+short', 'web.default.svc.cluster.local')), ['127.96.0.20']);
  assert.deepEqual(lines(await dig('+short', 'SRV', '_https._tcp.multi.default.svc.cluster.local')), ['0 100 443 multi.default.svc.cluster.local.']);
  assert.deepEqual(lines(await dig('+short', 'TXT', 'dns-version.cluster.local')), ['"1.1.0"']);
  assert.deepEqual(lines(await dig('+short', '-x', '127.96.0.20')), ['web.default.svc.cluster.local.']);
  assert.deepEqual(lines(await dig('+short', 'headless.default.svc.cluster.local')), ['127.244.0.11', '127.244.0.12', '127.244.0.13']);
});

test("dig: the seed's ExternalName is a CNAME to my.database.example.com", { skip }, async () => {
  const out = await dig('my-service.prod.svc.cluster.local');
  assert.match(out, /status: NOERROR/);
  assert.match(out, /my-service\.prod\.svc\.cluster\.local\.\s+5\s+IN\s+CNAME\s+my\.database\.example\.com\./);
  assert.match(out, /my\.database\.example\.com\.\s+\d+\s+IN\s+A\s+192\.0\.2\.50/);
});

test('dig: NXDOMAIN with the SOA, flags aa', { skip }, async () => {
  const out = await dig('nope.default.svc.cluster.local');
  assert.match(out, /status: NXDOMAIN/);
  assert.match(out, /flags: qr aa rd;/);
  assert.match(out, /cluster\.local\.\s+5\s+IN\s+SOA\s+ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5/);
});

test('dig: a big headless answer is truncated over UDP, dig retries over TCP and gets it all', { skip }, async () => {
  const out = await dig('+bufsize=1232', 'big.default.svc.cluster.local');
  assert.match(out, /Truncated, retrying in TCP mode/);
  assert.equal(out.match(/\bIN\s+A\s+127\.244\.1\.\d+/g)?.length, BIG_ENDPOINTS);
  const tcpOut = await dig('+tcp', '+short', 'big.default.svc.cluster.local');
  assert.equal(lines(tcpOut).length, BIG_ENDPOINTS);
});
