// The DefaultTolerationSeconds admission plugin: new pods that do not tolerate the not-ready /
// unreachable NoExecute taints get 300 s tolerations for them (through a real API server), while
// tolerations that already cover a taint — by key, by an empty key, or without an effect — stop
// the default for it, and the seconds are those configured.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.js';
import { LocalClient } from '../../src/apiserver/local-client.js';
import { admitDefaultTolerationSeconds } from '../../src/apiserver/registry/pod-default-tolerations.js';
import type { RequestContext } from '../../src/apiserver/store/context.js';
import { R } from '../../src/client/resources.js';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';

const pod = (name: string, tolerations?: unknown[]): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox' }], ...(tolerations ? { tolerations } : {}) },
});

describe('DefaultTolerationSeconds', () => {
  let t: TestApiServer;
  before(async () => {
    t = await startTestApiServer({ prefix: 'kubesvc-dts-' });
  });
  after(async () => t.stop());

  it('a new pod gets 300 s tolerations for not-ready and unreachable, as upstream writes them', async () => {
    const created = await new LocalClient(t.api).create<Pod>(R.pods, 'default', pod('plain'));
    assert.deepEqual(created.spec.tolerations, [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ]);
  });

  it('tolerations that already cover a taint are kept and stop its default', async () => {
    const admit = admitDefaultTolerationSeconds({ notReadySeconds: 60, unreachableSeconds: 5 });
    const keys = async (tolerations: unknown[]) => {
      const p = pod('x', tolerations);
      await admit(p, {} as RequestContext);
      return (p.spec.tolerations as { key?: string; effect?: string; tolerationSeconds?: number }[]).map((x) => `${x.key ?? ''}:${x.effect ?? ''}:${x.tolerationSeconds ?? ''}`);
    };
    assert.deepEqual(await keys([]), ['node.kubernetes.io/not-ready:NoExecute:60', 'node.kubernetes.io/unreachable:NoExecute:5']);
    assert.deepEqual(await keys([{ operator: 'Exists' }]), ['::']);
    assert.deepEqual(await keys([{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }]), ['node.kubernetes.io/unreachable::', 'node.kubernetes.io/not-ready:NoExecute:60']);
    // A NoSchedule toleration does not cover the NoExecute taint.
    assert.deepEqual(await keys([{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' }]), [
      'node.kubernetes.io/not-ready:NoSchedule:',
      'node.kubernetes.io/not-ready:NoExecute:60',
      'node.kubernetes.io/unreachable:NoExecute:5',
    ]);
  });
});
