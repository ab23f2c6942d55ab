// What authorizing every in-process call costs: ConfigMap creates through LocalClient by 8
// concurrent callers, as (a) no authorization at all (every call allowed unasked: how LocalClient
// ran before components had identities), (b) the loopback client (system:masters, allowed first),
// (c) a controller's ServiceAccount (root-ca-cert-publisher, allowed by its ClusterRoleBinding)
// with the RBAC decision cache, (d) the same with the cache off (every binding scanned per call).
// Run: npm run build && node dist/bench/local-client-authz.js [--creates 3000] [--rounds 3]
import type { Authorizer } from '../src/apiserver/auth/authorizer.js';
import { identities } from '../src/apiserver/auth/component-identity.js';
import { StoredPolicy } from '../src/apiserver/auth/policy-source.js';
import { LocalClient } from '../src/apiserver/local-client.js';
import { R } from '../src/client/resources.js';
import { startTestApiServer } from '../test/support/apiserver.js';
import { numberArg } from './args.js';

const creates = numberArg('creates', 3000);
const rounds = numberArg('rounds', 3);
const concurrency = 8;

async function createsPerSecond(client: LocalClient, prefix: string): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < creates) {
        const i = next++;
        await client.create(R.configmaps, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}-${i}` }, data: { i: String(i) } });
      }
    }),
  );
  return creates / (Number(process.hrtime.bigint() - start) / 1e9);
}

const t = await startTestApiServer({ prefix: 'bench-authz-' });
try {
  const api = t.api;
  const allowAll = { decide: () => ({ allowed: true, reason: '' }) } as unknown as Authorizer;
  // The stored policy without its generation: no cache, as the authorizer was before.
  const uncached = new (api.authorizer.constructor as new (s: StoredPolicy) => Authorizer)(
    Object.assign(new StoredPolicy((g, r) => api.store(g, r), () => true), { generation: undefined }),
  );
  const modes: [string, LocalClient][] = [
    ['no authorization', new LocalClient({ storage: api.storage, authorizer: allowAll })],
    ['loopback (system:masters)', new LocalClient(api)],
    ['controller ServiceAccount, cached', new LocalClient(api, identities.controller('root-ca-cert-publisher'))],
    ['controller ServiceAccount, uncached', new LocalClient({ storage: api.storage, authorizer: uncached }, identities.controller('root-ca-cert-publisher'))],
  ];
  const results: Record<string, number[]> = {};
  for (let round = 0; round < rounds; round++) {
    for (const [name, client] of modes) {
      (results[name] ??= []).push(await createsPerSecond(client, `r${round}-${name.replace(/[^a-z]+/g, '-')}`));
    }
  }
  // The decision alone, without the write around it.
  const attrs = { isResourceRequest: true, path: '', verb: 'create', apiGroup: '', apiVersion: 'v1', namespace: 'default', resource: 'configmaps', subresource: '', name: '' };
  const who = identities.controller('root-ca-cert-publisher').user;
  for (const [name, a] of [['cached', api.authorizer], ['uncached', uncached]] as const) {
    const n = 100_000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) if (!a.decide(who, attrs).allowed) throw new Error('refused');
    console.log(`authorizer.decide, ${name}: ${(Number(process.hrtime.bigint() - start) / n / 1000).toFixed(2)} µs per call`);
  }
  console.log(`ConfigMap creates/s through LocalClient (${creates} per run, ${concurrency} concurrent, ${rounds} rounds; median):`);
  for (const [name, xs] of Object.entries(results)) {
    const sorted = [...xs].sort((a, b) => a - b);
    console.log(`  ${name.padEnd(38)} ${Math.round(sorted[Math.floor(sorted.length / 2)]!)} /s   (runs: ${xs.map((x) => Math.round(x)).join(', ')})`);
  }
} finally {
  await t.stop();
}
