import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../../src/api/core.js';
import { nodePorts } from '../../../src/scheduler/plugins/node-ports.js';
import { filterAll, mkNode, mkPod, snap } from './fixtures.js';

function withPorts(name: string, ports: { hostPort: number; hostIP?: string; protocol?: 'TCP' | 'UDP' }[], node?: string): Pod {
  const p = mkPod(name, node ? { node } : {});
  p.spec.containers[0]!.ports = ports.map((x) => ({ containerPort: 80, ...x }));
  return p;
}

test('hostPorts: same protocol and port conflict on the same IP or with 0.0.0.0 (upstream nodeports cases)', () => {
  const no = "Unschedulable: node(s) didn't have free ports for the requested pod ports";
  const cases: [string, Pod, Pod[], string][] = [
    ['nothing requested', mkPod('p'), [withPorts('x', [{ hostPort: 8080 }], 'n')], ''],
    ['other port', withPorts('p', [{ hostPort: 8080 }]), [withPorts('x', [{ hostPort: 9090 }], 'n')], ''],
    ['same port, same protocol', withPorts('p', [{ hostPort: 8080 }]), [withPorts('x', [{ hostPort: 8080 }], 'n')], no],
    ['same port, other protocol', withPorts('p', [{ hostPort: 8080, protocol: 'UDP' }]), [withPorts('x', [{ hostPort: 8080 }], 'n')], ''],
    ['two distinct IPs share a port', withPorts('p', [{ hostPort: 8080, hostIP: '127.0.0.1' }]), [withPorts('x', [{ hostPort: 8080, hostIP: '127.0.0.2' }], 'n')], ''],
    ['0.0.0.0 takes every IP', withPorts('p', [{ hostPort: 8080, hostIP: '127.0.0.1' }]), [withPorts('x', [{ hostPort: 8080 }], 'n')], no],
    ['…both ways', withPorts('p', [{ hostPort: 8080 }]), [withPorts('x', [{ hostPort: 8080, hostIP: '127.0.0.2' }], 'n')], no],
  ];
  for (const [name, pod, bound, want] of cases) assert.equal(filterAll(nodePorts, pod, snap([mkNode('n')], bound)).n, want, name);
});
