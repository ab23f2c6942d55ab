// The generated hostile corpus (corpus.ts) against a real `kubesvc up`: every case is its own
// subtest named after its request, and asserts the answer (a 4xx Status, or not a 5xx where
// upstream's answer is not pinned down), that the object it aimed at is as before (or absent), and,
// per kind, that nothing else in the store moved and the server is alive and ready.
import { describe, it, before, after } from 'node:test';
import { knownGap } from './known-gaps.js';
import assert from 'node:assert/strict';
import { Arena } from './arena.js';
import { describeResult } from './client.js';
import { checkClientError, checkList, checkNot5xx, checkWatchStream, diffSnapshots, fixtureName, kinds, readOnly, snapshot, stored, StoreChanged, userView, type Kind, type Snapshot, type Target } from './fixture.js';
import {
  bodyCases, createCases, deleteCases, leaves, malformedValueCases, modifyCases, patchDirectiveCases, pathCases, pickLeaves, queryCases, subresourceCases, watchCases,
  type Case,
} from './corpus.js';

const arena = new Arena();
after(() => arena.close());

async function runCase(k: Kind, c: Case): Promise<void> {
  // A fresh cluster if an earlier case killed this one, so each case is judged on its own.
  const t = await arena.target();
  const watched = c.after?.path;
  let prior = watched && c.after!.type === 'unchanged' ? await t.client.json('GET', watched) : undefined;
  if (prior && prior.status === 404) {
    // An earlier (failed) case deleted the fixture: put it back so this case is judged on its own.
    await t.client.send({ method: 'POST', path: k.collection, body: JSON.stringify(k.base(fixtureName(k))), bookkeeping: true });
    prior = await t.client.json('GET', watched!);
  }
  if (prior && prior.status !== 200) assert.fail(`the target ${watched} could not be read before the case ran (${prior.status})`);
  const body = typeof c.body === 'function' ? c.body(prior!.obj) : c.body;
  const res = await t.client.send({
    method: c.method, path: c.path, ...(body !== undefined ? { body } : {}), ...(c.contentType ? { contentType: c.contentType } : {}),
    ...(c.timeoutMs ? { timeoutMs: c.timeoutMs } : {}), ...(c.maxBody ? { maxBody: c.maxBody } : {}), ...(c.stream ? { stream: true } : {}),
  });
  const problems: string[] = [];
  const e = c.expect;
  const bad = e.type === 'not-5xx' ? checkNot5xx(res, e.upstream500) : e.type === 'watch' ? checkWatchStream(res) : e.type === 'list' ? checkList(res) : checkClientError(res, e.codes);
  if (bad) problems.push(bad);
  if (c.stream) await new Promise((r) => setTimeout(r, 200)); // the watch crash came just after the answer
  if (t.cluster.proc.exitCode !== null || t.cluster.proc.signalCode !== null) {
    arena.killers.push(c.name);
    problems.push(`kubesvc exited (code ${t.cluster.proc.exitCode}) after this request (or one running beside it); stderr tail:\n${t.cluster.stderr().slice(-600)}`);
    assert.fail(`${c.method} ${c.path.slice(0, 150)}\n${problems.join('\n')}`);
  }
  if (watched && c.after!.type === 'absent') {
    const now = await t.client.send({ method: 'GET', path: watched, bookkeeping: true });
    if (now.status === 200) {
      problems.push(`the refused object was stored: ${describeResult(now)}`);
      // Remove it so the kind's store check reports what else changed, not this again.
      await t.client.send({ method: 'DELETE', path: `${watched}?gracePeriodSeconds=0`, timeoutMs: 5000, bookkeeping: true });
    }
  } else if (prior) {
    const now = await t.client.json('GET', watched!);
    if (now.status !== 200) problems.push(`the target ${watched} is gone after the request (${now.status})`);
    else if (userView(k.kind, now.obj) !== userView(k.kind, prior.obj)) {
      problems.push(`the target changed: ${userView(k.kind, prior.obj).slice(0, 400)}\n  -> ${userView(k.kind, now.obj).slice(0, 400)}`);
    }
  }
  if (problems.length) {
    const shown = typeof body === 'string' ? (body.length > 200 ? `${body.slice(0, 200)}… (${body.length} bytes)` : body) : body ? `<${body.length} bytes>` : '';
    assert.fail(`${c.method} ${c.path.length > 150 ? c.path.slice(0, 150) + '…' : c.path} ${shown}\n${problems.join('\n')}`);
  }
}

/** Every write on a read-only kind, whatever the body: upstream's 405 MethodNotAllowed. */
function writeRefusedCases(k: Kind): Case[] {
  const body = JSON.stringify({ apiVersion: k.apiVersion, kind: k.kind, metadata: { name: 'x' } });
  const expect: Case['expect'] = { type: 'client-error', codes: [405] };
  return [
    { name: `create ${k.kind}`, method: 'POST', path: k.collection, body, expect },
    { name: `create ${k.kind} with a malformed body`, method: 'POST', path: k.collection, body: '{"a":', expect },
    { name: `update ${k.kind}`, method: 'PUT', path: `${k.collection}/x`, body, expect },
    { name: `patch ${k.kind}`, method: 'PATCH', path: `${k.collection}/x`, body: '{}', contentType: 'application/merge-patch+json', expect },
    { name: `delete ${k.kind}`, method: 'DELETE', path: `${k.collection}/x`, expect },
    { name: `delete the ${k.kind} collection`, method: 'DELETE', path: k.collection, expect },
    { name: `get a ${k.kind} that is not there`, method: 'GET', path: `${k.collection}/hostile-none`, expect: { type: 'client-error', codes: [404] } },
  ];
}

for (const k of kinds) {
  describe(k.kind, { concurrency: false }, () => {
    let t: Target;
    let start: Snapshot;
    let killed: number;
    before(async () => {
      t = await arena.target();
      const refused = t.fixtureErrors.get(k.kind);
      if (refused) throw new Error(refused);
      start = await snapshot(t.client);
      killed = arena.killers.length;
    });
    const all = leaves(k);
    const spec = all.filter((l) => l.path[0] !== 'status');
    const status = all.filter((l) => l.path[0] === 'status');
    // Kinds that store nothing (the access reviews) only take creates; read-only ones (metrics) no write at all.
    const onStored = (cases: () => Case[]): Case[] => (stored(k) ? cases() : []);
    const onWritable = (cases: () => Case[]): Case[] => (readOnly(k) ? [] : cases());
    const groups: [string, Case[], number][] = [
      ['create with wrong types', onWritable(() => createCases(k, pickLeaves(k, spec, 10))), 6],
      ['create with malformed values', onWritable(() => malformedValueCases(k)), 6],
      ['bodies', onWritable(() => bodyCases(k)), 4],
      ['writes refused', readOnly(k) ? writeRefusedCases(k) : [], 4],
      ['query parameters', queryCases(k), 6],
      // One at a time: they aim at the same fixture object, and each compares it before and after.
      ['watch parameters', onStored(() => watchCases(k, k.kind === 'Service')), 3],
      ['update and patch with wrong types', onStored(() => modifyCases(k, pickLeaves(k, spec, 6))), 1],
      ['patch directives', onStored(() => patchDirectiveCases(k)), 1],
      ['status and scale', onStored(() => subresourceCases(k, pickLeaves(k, status, 3))), 1],
      ['delete options', onStored(() => deleteCases(k)), 1],
      ['path segments', onStored(() => pathCases(k, k.kind === 'Service')), 4],
    ];
    for (const [name, cases, concurrency] of groups) {
      if (cases.length === 0) continue;
      describe(name, { concurrency }, () => {
        for (const c of cases) it(c.name, todoIfKnownGap(c.name), () => runCase(k, c));
      });
    }
    it(`leaves everything else in the store as it was, and kubesvc alive and ready`, todoIfKnownGap('leaves everything else in the store as it was, and kubesvc alive and ready'), async () => {
      const problems: string[] = [];
      const died = arena.killers.slice(killed);
      if (died.length) problems.push(`kubesvc died during the ${k.kind} cases (a fresh cluster took over), after: ${died.join('; ')}`);
      if (arena.now !== t) problems.push(`kubesvc was replaced during the ${k.kind} cases`);
      else {
        const changes = diffSnapshots(start, await snapshot(t.client));
        if (changes.length) problems.push(`the ${k.kind} cases changed the store:\n${changes.slice(0, 30).join('\n')}`);
        const ready = await t.client.send({ method: 'GET', path: '/readyz', timeoutMs: 5000, bookkeeping: true });
        if (ready.status !== 200) problems.push(`/readyz: ${describeResult(ready)}`);
      }
      if (problems.length) {
        // The next kind starts on a fresh cluster rather than on whatever these cases left.
        arena.markDirty();
        throw new StoreChanged(problems.join('\n'));
      }
    });
  });
}

function todoIfKnownGap(name: string): { todo?: string } {
  const why = knownGap(name);
  return why ? { todo: why } : {};
}
