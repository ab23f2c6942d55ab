import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocations, statusError, svc } from './helpers.js';

test('a ClusterIP Service gets an address from the service CIDR and single-stack IPv4 fields', async () => {
  const al = await allocations();
  const s = svc('web', { ports: [{ port: 80 }] });
  await (await al.allocateCreate(s, false)).commit();
  assert.match(s.spec.clusterIP!, /^10\.0\.0\.\d+$/);
  assert.deepEqual(s.spec.clusterIPs, [s.spec.clusterIP]);
  assert.deepEqual(s.spec.ipFamilies, ['IPv4']);
  assert.equal(s.spec.ipFamilyPolicy, 'SingleStack');
  assert.equal(s.spec.ports![0]!.nodePort, undefined);
  assert.ok((await al.clusterIPs.has(s.spec.clusterIP!)));
});

test('a requested clusterIP is honoured; the same one again is refused with upstream text', async () => {
  const al = await allocations();
  const a = svc('a', { clusterIP: '10.0.0.10' });
  await (await al.allocateCreate(a, false)).commit();
  assert.deepEqual(a.spec.clusterIPs, ['10.0.0.10']);
  const err = await statusError(() => al.allocateCreate(svc('b', { clusterIP: '10.0.0.10' }), false));
  assert.equal(err.code, 422);
  assert.equal(err.reason, 'Invalid');
  assert.equal(
    err.message,
    'Service "b" is invalid: spec.clusterIPs: Invalid value: []string{"10.0.0.10"}: failed to allocate IP 10.0.0.10: provided IP is already allocated',
  );
  assert.deepEqual(err.details?.causes, [
    {
      reason: 'FieldValueInvalid',
      field: 'spec.clusterIPs',
      message: 'Invalid value: []string{"10.0.0.10"}: failed to allocate IP 10.0.0.10: provided IP is already allocated',
    },
  ]);
});

test('a clusterIP outside the service CIDR names the valid range', async () => {
  const al = await allocations('10.96.0.0/12');
  const err = await statusError(() => al.allocateCreate(svc('x', { clusterIP: '1.1.1.1', clusterIPs: ['1.1.1.1'] }), false));
  assert.equal(
    err.message,
    'Service "x" is invalid: spec.clusterIPs: Invalid value: []string{"1.1.1.1"}: failed to allocate IP 1.1.1.1: the provided IP (1.1.1.1) is not in the valid range. The range of valid IPs is 10.96.0.0/12',
  );
});

test('headless Services get no address; selectorless ones default to RequireDualStack', async () => {
  const al = await allocations();
  const withSelector = svc('h', { clusterIP: 'None' });
  await (await al.allocateCreate(withSelector, false)).commit();
  assert.deepEqual(withSelector.spec.clusterIPs, ['None']);
  assert.deepEqual(withSelector.spec.ipFamilies, ['IPv4']);
  assert.equal(withSelector.spec.ipFamilyPolicy, 'SingleStack');
  const selectorless = svc('s', { clusterIP: 'None' });
  delete selectorless.spec.selector;
  await (await al.allocateCreate(selectorless, false)).commit();
  assert.equal(selectorless.spec.ipFamilyPolicy, 'RequireDualStack');
  assert.deepEqual(selectorless.spec.ipFamilies, ['IPv4', 'IPv6']);
  assert.equal((await al.clusterIPs.used()), 0);
});

test('ExternalName Services get neither address nor IP family fields', async () => {
  const al = await allocations();
  const s = svc('ext', { type: 'ExternalName', externalName: 'example.com' });
  await (await al.allocateCreate(s, false)).commit();
  assert.equal(s.spec.clusterIP, undefined);
  assert.equal(s.spec.ipFamilies, undefined);
  assert.equal((await al.clusterIPs.used()), 0);
});

test('dual-stack requests are refused on this single-stack cluster', async () => {
  const al = await allocations();
  let err = await statusError(() => al.allocateCreate(svc('d', { ipFamilyPolicy: 'RequireDualStack' }), false));
  assert.equal(
    err.message,
    'Service "d" is invalid: spec.ipFamilyPolicy: Invalid value: "RequireDualStack": this cluster is not configured for dual-stack services',
  );
  err = await statusError(() => al.allocateCreate(svc('d', { ipFamilies: ['IPv6'] }), false));
  assert.equal(err.message, 'Service "d" is invalid: spec.ipFamilies[0]: Invalid value: "IPv6": not configured on this cluster');
  err = await statusError(() => al.allocateCreate(svc('d', { clusterIP: 'fd00::1' }), false));
  assert.equal(
    err.message,
    'Service "d" is invalid: spec.clusterIPs[0]: Invalid value: []string{"fd00::1"}: IPv6 is not configured on this cluster',
  );
  // PreferDualStack quietly stays single-stack.
  const p = svc('p', { ipFamilyPolicy: 'PreferDualStack' });
  await (await al.allocateCreate(p, false)).commit();
  assert.deepEqual(p.spec.ipFamilies, ['IPv4']);
});

test('NodePort Services get a nodePort per port from the range', async () => {
  const al = await allocations();
  const s = svc('np', { type: 'NodePort', ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }] });
  await (await al.allocateCreate(s, false)).commit();
  const [a, b] = s.spec.ports!.map((p) => p.nodePort!);
  for (const p of [a!, b!]) assert.ok(p >= 30000 && p <= 32767, `nodePort ${p}`);
  assert.notEqual(a, b);
  assert.ok(al.nodePorts.has(a!) && al.nodePorts.has(b!));
});

test('a nodePort outside the range is refused in upstream words, and the clusterIP is given back', async () => {
  const al = await allocations();
  const err = await statusError(() => al.allocateCreate(svc('np', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] }), false));
  assert.equal(err.code, 422);
  assert.equal(
    err.message,
    'Service "np" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767',
  );
  assert.deepEqual(err.details?.causes?.[0]?.field, 'spec.ports[0].nodePort');
  assert.equal((await al.clusterIPs.used()), 0, 'the clusterIP allocated before the failure was released');
});

test('a nodePort already held by another Service is refused', async () => {
  const al = await allocations();
  await (await al.allocateCreate(svc('a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), false)).commit();
  const err = await statusError(() =>
    al.allocateCreate(svc('b', { type: 'NodePort', ports: [{ port: 53, nodePort: 31000 }, { port: 80, nodePort: 30080 }] }), false),
  );
  assert.equal(err.message, 'Service "b" is invalid: spec.ports[1].nodePort: Invalid value: 30080: provided port is already allocated');
  assert.ok(!al.nodePorts.has(31000), 'the first port of the failed Service was given back');
});

test('TCP and UDP on the same port share one nodePort, requested or allocated', async () => {
  const al = await allocations();
  const dns = svc('dns', {
    type: 'NodePort',
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ],
  });
  await (await al.allocateCreate(dns, false)).commit();
  assert.equal(dns.spec.ports![0]!.nodePort, dns.spec.ports![1]!.nodePort);
  assert.equal(al.nodePorts.used(), 1);
  const requested = svc('dns2', {
    type: 'NodePort',
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP', nodePort: 30053 },
    ],
  });
  await (await al.allocateCreate(requested, false)).commit();
  assert.deepEqual(requested.spec.ports!.map((p) => p.nodePort), [30053, 30053]);
});

test('LoadBalancer: nodePorts unless allocateLoadBalancerNodePorts is false, which still honours requests', async () => {
  const al = await allocations();
  const lb = svc('lb', { type: 'LoadBalancer', ports: [{ port: 80 }] });
  await (await al.allocateCreate(lb, false)).commit();
  assert.ok(lb.spec.ports![0]!.nodePort! >= 30000);
  const none = svc('lb2', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ name: 'a', port: 80 }, { name: 'b', port: 81, nodePort: 30081 }] });
  await (await al.allocateCreate(none, false)).commit();
  assert.deepEqual(none.spec.ports!.map((p) => p.nodePort), [undefined, 30081]);
  assert.equal(al.nodePorts.used(), 2);
});

test('LoadBalancer with externalTrafficPolicy Local gets a healthCheckNodePort', async () => {
  const al = await allocations();
  const lb = svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] });
  await (await al.allocateCreate(lb, false)).commit();
  const hc = lb.spec.healthCheckNodePort!;
  assert.ok(hc >= 30000 && hc <= 32767);
  assert.notEqual(hc, lb.spec.ports![0]!.nodePort);
  assert.ok(al.nodePorts.has(hc));
  const cluster = svc('lb2', { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', ports: [{ port: 80 }] });
  await (await al.allocateCreate(cluster, false)).commit();
  assert.equal(cluster.spec.healthCheckNodePort, undefined);
  // A requested health check port that is taken is an internal error upstream; kubesvc answers
  // 422 on the field, in upstream's words, since the request asked for it.
  const err = await statusError(() =>
    al.allocateCreate(svc('lb3', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: hc, ports: [{ port: 80 }] }), false),
  );
  assert.equal(err.code, 422);
  assert.equal(
    err.message,
    `Service "lb3" is invalid: spec.healthCheckNodePort: Invalid value: ${hc}: failed to allocate requested HealthCheck NodePort ${hc}: provided port is already allocated`,
  );
});

test('exhaustion: no address left is an internal error, no nodePort left is a 422 on the port', async () => {
  const al = await allocations('10.0.0.0/29', { base: 30000, size: 2 });
  for (let i = 0; i < 6; i++) await (await al.allocateCreate(svc(`s${i}`, {}), false)).commit();
  let err = await statusError(() => al.allocateCreate(svc('s6', {}), false));
  assert.equal(err.code, 500);
  assert.equal(err.message, 'Internal error occurred: failed to allocate a serviceIP: range is full');
  const ports = await allocations('10.0.0.0/24', { base: 30000, size: 2 });
  await (await ports.allocateCreate(svc('a', { type: 'NodePort', ports: [{ port: 1 }, { port: 2 }] }), false)).commit();
  err = await statusError(() => ports.allocateCreate(svc('b', { type: 'NodePort', ports: [{ port: 1 }] }), false));
  assert.equal(err.code, 422);
  assert.equal(err.message, 'Service "b" is invalid: spec.ports[0].nodePort: Invalid value: 0: failed to allocate a nodePort: range is full');
  assert.equal((await ports.clusterIPs.used()), 1, 'the failed Service gave its clusterIP back');
});

test('dry run allocates nothing but still checks requests', async () => {
  const al = await allocations();
  const s = svc('d', { type: 'NodePort', ports: [{ port: 80 }] });
  await (await al.allocateCreate(s, true)).commit();
  assert.equal(s.spec.clusterIP, '10.0.0.0', 'upstream shows the network address in a dry run');
  assert.ok(s.spec.ports![0]!.nodePort! > 0);
  assert.equal((await al.clusterIPs.used()), 0);
  assert.equal(al.nodePorts.used(), 0);
  const err = await statusError(() => al.allocateCreate(svc('e', { clusterIP: '1.1.1.1' }), true));
  assert.match(err.message, /not in the valid range/);
  const ok = svc('f', { clusterIP: '10.0.0.10', type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] });
  await (await al.allocateCreate(ok, true)).commit();
  assert.ok(!(await al.clusterIPs.has('10.0.0.10')) && !al.nodePorts.has(30080));
});

test('revert gives back everything a create took, so a failed storage write leaks nothing', async () => {
  const al = await allocations();
  const s = svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }, { port: 443 }] });
  const txn = await al.allocateCreate(s, false);
  assert.equal(al.nodePorts.used(), 3);
  assert.equal((await al.clusterIPs.used()), 1);
  await txn.revert();
  assert.equal(al.nodePorts.used(), 0);
  assert.equal((await al.clusterIPs.used()), 0);
});

test('serviceIP and nodePortRange describe the configuration', async () => {
  const al = await allocations('10.96.0.0/12');
  assert.equal(al.serviceIP(1), '10.96.0.1');
  assert.equal(al.serviceIP(10), '10.96.0.10');
  assert.equal(al.nodePortRange, '30000-32767');
  // The well-known addresses sit in the static band, so dynamic allocation avoids them.
  const a = await allocations('127.96.0.0/16');
  for (let i = 0; i < 200; i++) {
    const s = svc(`s${i}`, {});
    await (await a.allocateCreate(s, false)).commit();
    assert.ok(![a.serviceIP(1), a.serviceIP(10)].includes(s.spec.clusterIP!));
  }
});

test('a custom nodePort range is what errors name', async () => {
  const al = await allocations('10.0.0.0/24', { base: 40000, size: 10 });
  assert.equal(al.nodePortRange, '40000-40009');
  const err = await statusError(() => al.allocateCreate(svc('np', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), false));
  assert.equal(
    err.message,
    'Service "np" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is not in the valid range. The range of valid ports is 40000-40009',
  );
});
