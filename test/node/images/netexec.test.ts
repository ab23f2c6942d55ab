import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { createSocket } from 'node:dgram';
import { AGNHOST, freePort, freeUDPPort, httpGet, killAll, startProgram, terminate, testSubnet, udpRoundTrip, waitHTTP, type Program } from './helpers.js';
import { startDNSStub, type DNSStub } from './dns-stub.js';

const ip = testSubnet(3);
after(killAll);

interface Netexec {
  p: Program;
  host: string;
  http: number;
  udp: number;
}

async function startNetexec(host: string, hostname: string, extra: string[] = [], env: Record<string, string> = {}): Promise<Netexec> {
  const http = await freePort(host);
  const udp = await freeUDPPort(host);
  const p = startProgram(AGNHOST, ['netexec', `--http-port=${http}`, `--udp-port=${udp}`, ...extra], { POD_IP: host, HOSTNAME: hostname, ...env });
  await p.waitFor(`Started HTTP server on port ${http}`);
  await waitHTTP(host, http, '/hostname');
  return { p, host, http, udp };
}

describe('agnhost netexec', () => {
  let a: Netexec;
  let b: Netexec;
  let dns: DNSStub;
  before(async () => {
    dns = await startDNSStub(ip(53), {});
    a = await startNetexec(ip(1), 'netexec-a', [], { KUBESVC_DNS_SERVER: `${ip(53)}:${dns.port}`, KUBESVC_DNS_SEARCH: 'ns.svc.cluster.local,svc.cluster.local,cluster.local' });
    b = await startNetexec(ip(2), 'netexec-b');
    dns.close();
    // the stub above only reserved the address; /dial-by-name gets its own server below
  });

  it('/ answers NOW: and the time in Go format', async () => {
    const r = await httpGet(a.host, a.http, '/');
    assert.equal(r.status, 200);
    assert.match(r.body, /^NOW: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{1,9})? \+0000 UTC m=\+\d+\.\d{9}$/);
    assert.match((await httpGet(a.host, a.http, '/unknown/path')).body, /^NOW: /);
  });

  it('/hostname, /hostName, /clientip, /echo, /header', async () => {
    assert.equal((await httpGet(a.host, a.http, '/hostname')).body, 'netexec-a');
    assert.equal((await httpGet(a.host, a.http, '/hostName')).body, 'netexec-a');
    const cip = await httpGet(a.host, a.http, '/clientip', { localAddress: ip(99) });
    assert.match(cip.body, new RegExp(`^${ip(99).replace(/\./g, '\\.')}:\\d+$`));
    assert.equal((await httpGet(a.host, a.http, '/echo?msg=hello%20world')).body, 'hello world');
    const coded = await httpGet(a.host, a.http, '/echo?msg=teapot&code=418');
    assert.equal(coded.status, 418);
    assert.equal(coded.body, 'teapot');
    assert.equal((await httpGet(a.host, a.http, '/echo?code=x')).body, 'argument \'code\' must be an integer or empty, got "x"\n');
    assert.equal((await httpGet(a.host, a.http, '/header?key=user-agent')).body, '');
  });

  it('/healthz and /readyz are 200 once the UDP server is up', async () => {
    const h = await httpGet(a.host, a.http, '/healthz');
    assert.equal(h.status, 200);
    assert.equal(h.body, '');
    const r = await httpGet(a.host, a.http, '/readyz');
    assert.equal(r.status, 200);
    assert.equal(r.body, 'ok');
  });

  it('redirects unclean paths like Go ServeMux', async () => {
    const r = await httpGet(a.host, a.http, '//hostname');
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, '/hostname');
    const red = await httpGet(a.host, a.http, '/redirect?location=/echo%3Fmsg%3Dfoobar&code=307');
    assert.equal(red.status, 307);
    assert.equal(red.headers.location, '/echo?msg=foobar');
  });

  it('UDP: hostname, echo (lower-cased, as upstream), clientip; unknown commands get no answer', async () => {
    assert.equal(await udpRoundTrip(a.host, a.udp, 'hostname'), 'netexec-a');
    assert.equal(await udpRoundTrip(a.host, a.udp, 'HOSTNAME\n'), 'netexec-a');
    assert.equal(await udpRoundTrip(a.host, a.udp, 'echo Hello There'), 'hello there');
    assert.match((await udpRoundTrip(a.host, a.udp, 'clientip', 2000, ip(98)))!, new RegExp(`^${ip(98).replace(/\./g, '\\.')}:\\d+$`));
    assert.equal(await udpRoundTrip(a.host, a.udp, 'what', 300), undefined);
  });

  it('/dial over HTTP from one pod to another, from the pod IP', async () => {
    const r = await httpGet(a.host, a.http, `/dial?request=hostname&host=${b.host}&port=${b.http}&protocol=http&tries=3`);
    assert.equal(r.status, 200);
    assert.equal(r.body, '{"responses":["netexec-b","netexec-b","netexec-b"]}');
    const c = JSON.parse((await httpGet(a.host, a.http, `/dial?request=clientip&host=${b.host}&port=${b.http}`)).body) as { responses: string[] };
    assert.match(c.responses[0]!, new RegExp(`^${a.host.replace(/\./g, '\\.')}:\\d+$`));
    // the request may carry a query; default protocol is http and tries 1
    assert.equal((await httpGet(a.host, a.http, `/dial?request=echo%3Fmsg%3Dhi&host=${b.host}&port=${b.http}`)).body, '{"responses":["hi"]}');
  });

  it('/dial over UDP', async () => {
    const r = await httpGet(a.host, a.http, `/dial?request=hostname&host=${b.host}&port=${b.udp}&protocol=udp&tries=2`);
    assert.equal(r.body, '{"responses":["netexec-b","netexec-b"]}');
    const c = JSON.parse((await httpGet(a.host, a.http, `/dial?request=clientip&host=${b.host}&port=${b.udp}&protocol=udp`)).body) as { responses: string[] };
    assert.match(c.responses[0]!, new RegExp(`^${a.host.replace(/\./g, '\\.')}:\\d+$`));
  });

  it('/dial failures: errors in upstream wording, "responses" only when the last try answered', async () => {
    const closed = await freePort(b.host);
    const r = await httpGet(a.host, a.http, `/dial?request=hostname&host=${b.host}&port=${closed}&tries=2`);
    assert.equal(r.status, 200);
    const err = `Get "http://${b.host}:${closed}/hostname": dial tcp ${b.host}:${closed}: connect: connection refused`;
    assert.equal(r.body, JSON.stringify({ errors: [err, err] }));
    const u = JSON.parse((await httpGet(a.host, a.http, `/dial?request=hostname&host=${b.host}&port=${closed}&protocol=udp`)).body) as { errors: string[] };
    assert.match(u.errors[0]!, new RegExp(`^reading from udp connection failed\\. err:'read udp ${a.host.replace(/\./g, '\\.')}:\\d+->${b.host.replace(/\./g, '\\.')}:${closed}: read: connection refused'$`));
  });

  it('/dial timeouts after 5 s, worded as the Go http.Client and net.Conn report them', { timeout: 15_000 }, async () => {
    const silentHost = ip(97);
    const silent = createServer(() => undefined); // accepts, never answers
    await new Promise<void>((r) => silent.listen(0, silentHost, r));
    const tcpPort = (silent.address() as AddressInfo).port;
    const mute = createSocket('udp4'); // receives, never answers
    await new Promise<void>((r) => mute.bind(0, silentHost, r));
    const udpPort = mute.address().port;
    try {
      const [h, u] = await Promise.all([
        httpGet(a.host, a.http, `/dial?request=hostname&host=${silentHost}&port=${tcpPort}`),
        httpGet(a.host, a.http, `/dial?request=hostname&host=${silentHost}&port=${udpPort}&protocol=udp`),
      ]);
      assert.equal(h.body, JSON.stringify({ errors: [`Get "http://${silentHost}:${tcpPort}/hostname": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`] }));
      assert.match(JSON.parse(u.body).errors[0], /^reading from udp connection failed\. err:'read udp [\d.]+:\d+->[\d.]+:\d+: i\/o timeout'$/);
    } finally {
      silent.close();
      mute.close();
    }
  });

  it('/dial parameter errors are 400 with upstream messages', async () => {
    const noReq = await httpGet(a.host, a.http, `/dial?host=${b.host}&port=${b.http}`);
    assert.equal(noReq.status, 400);
    assert.equal(noReq.body, 'request parameter not specified. <nil>\n');
    const tries = await httpGet(a.host, a.http, `/dial?request=x&host=${b.host}&port=${b.http}&tries=many`);
    assert.equal(tries.status, 400);
    assert.equal(tries.body, 'tries parameter is invalid. strconv.Atoi: parsing "many": invalid syntax\n');
    const proto = await httpGet(a.host, a.http, `/dial?request=x&host=${b.host}&port=${b.http}&protocol=quic`);
    assert.equal(proto.status, 400);
    assert.equal(proto.body, 'unsupported protocol. quic\n');
    const port = await httpGet(a.host, a.http, `/dial?request=x&host=${b.host}&port=abc`);
    assert.equal(port.status, 400);
    assert.equal(port.body, 'host and/or port param are invalid. lookup tcp/abc: unknown port\n');
  });

  it('/dial resolves service names through the pod DNS config (search list, ndots:5)', async () => {
    const stub = await startDNSStub(ip(53), { 'backend.ns.svc.cluster.local': b.host });
    try {
      const c = await startNetexec(ip(3), 'netexec-c', [], { KUBESVC_DNS_SERVER: `${ip(53)}:${stub.port}`, KUBESVC_DNS_SEARCH: 'ns.svc.cluster.local,svc.cluster.local,cluster.local' });
      const r = await httpGet(c.host, c.http, `/dial?request=hostname&host=backend&port=${b.http}`);
      assert.equal(r.body, '{"responses":["netexec-b"]}');
      assert.equal(stub.queries[0], 'backend.ns.svc.cluster.local');
      const miss = await httpGet(c.host, c.http, `/dial?request=hostname&host=nothere&port=${b.http}`);
      assert.equal(miss.status, 400);
      assert.equal(miss.body, `host and/or port param are invalid. lookup nothere on ${ip(53)}:${stub.port}: no such host\n`);
      assert.equal((await terminate(c.p)).code, 0);
    } finally {
      stub.close();
    }
  });

  it('/shell runs a command and returns JSON', async () => {
    const ok = await httpGet(a.host, a.http, '/shell?cmd=echo%20hi');
    assert.equal(ok.body, '{"output":"hi\\n"}');
    const bad = await httpGet(a.host, a.http, '/shell?shellCommand=echo%20oops%20%3E%262%3B%20exit%203');
    assert.equal(bad.body, '{"error":"exit status 3","output":"oops\\n"}');
  });
});

describe('agnhost netexec lifecycle', () => {
  it('/exit?code=N exits with N at once, dropping the request', async () => {
    const n = await startNetexec(ip(10), 'exiter');
    await assert.rejects(httpGet(n.host, n.http, '/exit?code=3'));
    assert.equal((await n.p.exited).code, 3);
  });

  it('/exit with a timeout answers, then shuts down gracefully with the code', async () => {
    const n = await startNetexec(ip(11), 'exiter2');
    const r = await httpGet(n.host, n.http, '/exit?code=4&timeout=1s');
    assert.equal(r.status, 200);
    assert.equal((await n.p.exited).code, 4);
    assert.match(n.p.stdout(), /Will begin shutdown in 0s, allowing 1s for connections to close, then will exit with 4/);
  });

  it('/exit rejects bad durations', async () => {
    const n = await startNetexec(ip(12), 'exiter3');
    assert.equal((await httpGet(n.host, n.http, '/exit?timeout=soon')).body, 'argument \'timeout\' must be a valid golang duration or empty, got "soon"\n');
    assert.equal((await httpGet(n.host, n.http, '/exit?code=x')).body, 'argument \'code\' must be an integer [0-127] or empty, got "x"\n');
    await assert.rejects(httpGet(n.host, n.http, '/shutdown'));
    assert.equal((await n.p.exited).code, 0);
  });

  it('SIGTERM exits 0 promptly', async () => {
    const n = await startNetexec(ip(13), 'term');
    const { code, ms } = await terminate(n.p);
    assert.equal(code, 0);
    assert.ok(ms < 2000, `exited in ${ms} ms`);
  });

  it('--delay-shutdown keeps serving with /readyz 503 after SIGTERM', async () => {
    const n = await startNetexec(ip(14), 'slowterm', ['--delay-shutdown=1']);
    n.p.child.kill('SIGTERM');
    await n.p.waitFor('Sleeping 1 seconds before terminating...');
    const r = await httpGet(n.host, n.http, '/readyz');
    assert.equal(r.status, 503);
    assert.equal(r.body, 'shutting down');
    assert.equal((await httpGet(n.host, n.http, '/healthz')).status, 200);
    assert.equal((await n.p.exited).code, 0);
  });

  it('--udp-port=-1: no UDP server, so /healthz stays 412 as upstream', async () => {
    const host = ip(15);
    const http = await freePort(host);
    const p = startProgram(AGNHOST, ['netexec', `--http-port=${http}`, '--udp-port=-1'], { POD_IP: host, HOSTNAME: 'noudp' });
    await waitHTTP(host, http, '/hostname');
    assert.equal((await httpGet(host, http, '/healthz')).status, 412);
    assert.equal((await terminate(p)).code, 0);
  });

  it('--http-override serves every request as that path', async () => {
    const host = ip(16);
    const http = await freePort(host);
    startProgram(AGNHOST, ['netexec', `--http-port=${http}`, '--udp-port=-1', '--http-override=/echo?msg=overridden'], { POD_IP: host });
    await waitHTTP(host, http);
    assert.equal((await httpGet(host, http, '/hostname')).body, 'overridden');
  });
});
