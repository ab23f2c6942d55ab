import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from '../../../src/api/core.js';
import { ServiceAllocations } from '../../../src/apiserver/allocators/index.js';
import { allocations, clone, statusError, storage, svc } from './helpers.js';

/** As the registry does it: allocate against the stored object, write, commit. */
async function update(al: ServiceAllocations, stored: Service, change: (s: Service) => void): Promise<Service> {
  const next = clone(stored);
  change(next);
  await (await al.allocateUpdate(next, stored, false)).commit();
  return next;
}

test('type transitions ClusterIP → NodePort → LoadBalancer → ClusterIP → ExternalName', async () => {
  const al = await allocations();
  const created = svc('web', { ports: [{ name: 'http', port: 80 }] });
  await (await al.allocateCreate(created, false)).commit();
  const ip = created.spec.clusterIP!;

  const np = await update(al, created, (s) => (s.spec.type = 'NodePort'));
  assert.equal(np.spec.clusterIP, ip, 'clusterIP kept');
  const nodePort = np.spec.ports![0]!.nodePort!;
  assert.ok(al.nodePorts.has(nodePort));

  const lb = await update(al, np, (s) => (s.spec.type = 'LoadBalancer'));
  assert.equal(lb.spec.ports![0]!.nodePort, nodePort, 'nodePort kept');
  assert.equal(al.nodePorts.used(), 1);

  const back = await update(al, lb, (s) => (s.spec.type = 'ClusterIP'));
  assert.equal(back.spec.ports![0]!.nodePort, undefined, 'nodePort cleared');
  assert.ok(!al.nodePorts.has(nodePort), 'nodePort released');
  assert.equal(back.spec.clusterIP, ip);

  const ext = await update(al, back, (s) => {
    s.spec.type = 'ExternalName';
    s.spec.externalName = 'example.com';
  });
  assert.equal(ext.spec.clusterIP, undefined, 'clusterIP cleared');
  assert.equal(ext.spec.clusterIPs, undefined);
  assert.equal(ext.spec.ipFamilies, undefined);
  assert.equal(ext.spec.ipFamilyPolicy, undefined);
  assert.ok(!(await al.clusterIPs.has(ip)), 'clusterIP released');

  const again = await update(al, ext, (s) => {
    s.spec.type = 'ClusterIP';
    delete s.spec.externalName;
  });
  assert.match(again.spec.clusterIP!, /^10\.0\.0\./, 'ExternalName → ClusterIP allocates an address');
  assert.ok((await al.clusterIPs.has(again.spec.clusterIP!)));
});

test('re-applying a manifest without the allocated values keeps them (patchAllocatedValues)', async () => {
  const al = await allocations();
  const manifest = svc('web', {
    type: 'LoadBalancer',
    externalTrafficPolicy: 'Local',
    ports: [{ name: 'http', port: 80 }, { name: 'https', port: 443 }],
  });
  const stored = clone(manifest);
  await (await al.allocateCreate(stored, false)).commit();
  const reapplied = clone(manifest);
  await (await al.allocateUpdate(reapplied, stored, false)).commit();
  assert.equal(reapplied.spec.clusterIP, stored.spec.clusterIP);
  assert.deepEqual(reapplied.spec.clusterIPs, stored.spec.clusterIPs);
  assert.deepEqual(reapplied.spec.ports!.map((p) => p.nodePort), stored.spec.ports!.map((p) => p.nodePort));
  assert.equal(reapplied.spec.healthCheckNodePort, stored.spec.healthCheckNodePort);
  assert.equal(al.nodePorts.used(), 3, 'nothing new allocated, nothing released');
  assert.equal((await al.clusterIPs.used()), 1);
});

test('a nodePort taken by another port of the new object is not patched in twice', async () => {
  const al = await allocations();
  const stored = svc('web', { type: 'NodePort', ports: [{ name: 'a', port: 80, nodePort: 30080 }, { name: 'b', port: 81, nodePort: 30081 }] });
  await (await al.allocateCreate(stored, false)).commit();
  const next = await update(al, stored, (s) => {
    s.spec.ports = [{ name: 'a', port: 80, nodePort: 30081 }, { name: 'b', port: 81 }];
  });
  assert.equal(next.spec.ports![0]!.nodePort, 30081);
  const b = next.spec.ports![1]!.nodePort!;
  assert.ok(b !== 30081 && b >= 30000, `port b got ${b}`);
  assert.ok(!al.nodePorts.has(30080), 'the nodePort no longer used is released');
});

test('changing a nodePort: the new one is taken at once, the old one only freed on commit', async () => {
  const al = await allocations();
  const stored = svc('web', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] });
  await (await al.allocateCreate(stored, false)).commit();
  const next = clone(stored);
  next.spec.ports![0]!.nodePort = 30090;
  const txn = await al.allocateUpdate(next, stored, false);
  assert.ok(al.nodePorts.has(30090) && al.nodePorts.has(30080));
  await txn.revert();
  assert.ok(!al.nodePorts.has(30090), 'revert gives the new port back');
  assert.ok(al.nodePorts.has(30080), 'revert keeps the port the stored object holds');
  const again = clone(stored);
  again.spec.ports![0]!.nodePort = 30090;
  await (await al.allocateUpdate(again, stored, false)).commit();
  assert.ok(al.nodePorts.has(30090) && !al.nodePorts.has(30080));
});

test('updating to a nodePort held elsewhere fails with the field error', async () => {
  const al = await allocations();
  await (await al.allocateCreate(svc('other', { type: 'NodePort', ports: [{ port: 80, nodePort: 30100 }] }), false)).commit();
  const stored = svc('web', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] });
  await (await al.allocateCreate(stored, false)).commit();
  const next = clone(stored);
  next.spec.ports![0]!.nodePort = 30100;
  const err = await statusError(() => al.allocateUpdate(next, stored, false));
  assert.equal(err.message, 'Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 30100: provided port is already allocated');
  assert.ok(al.nodePorts.has(30080));
});

test('externalTrafficPolicy Cluster → Local allocates a healthCheckNodePort, Local → Cluster frees it', async () => {
  const al = await allocations();
  const stored = svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Cluster', ports: [{ port: 80 }] });
  await (await al.allocateCreate(stored, false)).commit();
  const local = await update(al, stored, (s) => (s.spec.externalTrafficPolicy = 'Local'));
  const hc = local.spec.healthCheckNodePort!;
  assert.ok(al.nodePorts.has(hc));
  const cluster = await update(al, local, (s) => (s.spec.externalTrafficPolicy = 'Cluster'));
  assert.equal(cluster.spec.healthCheckNodePort, undefined);
  assert.ok(!al.nodePorts.has(hc));
});

test('LoadBalancer with Local → ClusterIP frees nodePorts and the healthCheckNodePort', async () => {
  const al = await allocations();
  const stored = svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] });
  await (await al.allocateCreate(stored, false)).commit();
  assert.equal(al.nodePorts.used(), 2);
  const c = await update(al, stored, (s) => (s.spec.type = 'ClusterIP'));
  assert.equal(al.nodePorts.used(), 0);
  assert.equal(c.spec.healthCheckNodePort, undefined);
  assert.equal(c.spec.externalTrafficPolicy, undefined);
});

test('headless Services stay without an address across updates', async () => {
  const al = await allocations();
  const stored = svc('h', { clusterIP: 'None', ports: [{ port: 80 }] });
  await (await al.allocateCreate(stored, false)).commit();
  const next = await update(al, stored, (s) => (s.spec.ports = [{ port: 81 }]));
  assert.deepEqual(next.spec.clusterIPs, ['None']);
  assert.equal((await al.clusterIPs.used()), 0);
});

test('dry-run updates change nothing', async () => {
  const al = await allocations();
  const stored = svc('web', { ports: [{ port: 80 }] });
  await (await al.allocateCreate(stored, false)).commit();
  const next = clone(stored);
  next.spec.type = 'NodePort';
  await (await al.allocateUpdate(next, stored, true)).commit();
  assert.equal(al.nodePorts.used(), 0);
  const ext = clone(stored);
  ext.spec.type = 'ExternalName';
  ext.spec.externalName = 'example.com';
  await (await al.allocateUpdate(ext, stored, true)).commit();
  assert.ok((await al.clusterIPs.has(stored.spec.clusterIP!)));
});

test('release frees everything a deleted Service held', async () => {
  const al = await allocations();
  const s = svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }, { port: 443 }] });
  await (await al.allocateCreate(s, false)).commit();
  await al.release(s);
  assert.equal((await al.clusterIPs.used()), 0);
  assert.equal(al.nodePorts.used(), 0);
});

test('allocations live in storage: another allocator on it (a restart, a second API server) hands out nothing twice', async () => {
  const st = await storage();
  const on = () => new ServiceAllocations({ serviceCIDR: '10.0.0.0/24', nodePortRange: { base: 30000, size: 2768 }, backend: st.backend, ipaddresses: () => st.ipaddresses });
  const first = on();
  const held = [
    svc('kubernetes', { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'] }),
    svc('np', { type: 'NodePort', clusterIP: '10.0.0.50', ports: [{ port: 80, nodePort: 30080 }] }),
    svc('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 30500, clusterIP: '10.0.0.51', ports: [{ port: 80, nodePort: 30081 }] }),
  ];
  for (const s of held) await (await first.allocateCreate(s, false)).commit();
  const second = on();
  for (const ip of ['10.0.0.1', '10.0.0.50', '10.0.0.51']) assert.ok(await second.clusterIPs.has(ip), ip);
  assert.equal(await second.clusterIPs.used(), 3);
  let err = await statusError(() => second.allocateCreate(svc('x', { type: 'NodePort', ports: [{ port: 1, nodePort: 30500 }] }), false));
  assert.match(err.message, /provided port is already allocated/);
  err = await statusError(() => second.allocateCreate(svc('y', { clusterIP: '10.0.0.50' }), false));
  assert.match(err.message, /provided IP is already allocated/);
  // Fill the rest of the range through the second: no address the first holds comes back.
  for (let i = 0; i < 254 - 3; i++) {
    const s = svc(`s${i}`, { type: 'NodePort', ports: [{ port: 80 }] });
    await (await second.allocateCreate(s, false)).commit();
    assert.ok(!['10.0.0.1', '10.0.0.50', '10.0.0.51'].includes(s.spec.clusterIP!));
    assert.ok(![30080, 30081, 30500].includes(s.spec.ports![0]!.nodePort!));
  }
  err = await statusError(() => first.allocateCreate(svc('z', {}), false));
  assert.equal(err.message, 'Internal error occurred: failed to allocate a serviceIP: range is full');
});
