// structured-merge-diff's merge test cases (merge/set_test.go, key_test.go,
// multiple_appliers_test.go, conflict cases), adapted as data: each is a sequence of Apply and
// Update operations and the object and ownership it must end with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, pathString } from '../../../../src/machinery/fieldmanager/index.js';
import { State, struct, setList, keyedList, str, num, map, atomicList } from './fixture.js';

type Op = { apply: string; obj: unknown; force?: boolean } | { update: string; obj: unknown };
interface Case {
  name: string;
  ops: Op[];
  object: unknown;
  /** `manager/Apply` (or `/Update`) → owned paths. */
  owned: Record<string, string[]>;
  /** Compare lists as sets (upstream's fixture compares associative lists regardless of order). */
  unordered?: boolean;
}

const sets = struct({ list: setList() });
const keyed = struct({ list: keyedList(struct({ name: str, value: num }), 'name') });

const run = (schema: ReturnType<typeof struct>, c: Case) => {
  const s = new State(schema);
  for (const op of c.ops) {
    if ('apply' in op) s.apply(op.apply, op.obj, op.force);
    else s.update(op.update, op.obj);
  }
  if (c.unordered) {
    const sort = (o: any) => ({ ...o, list: [...(o.list ?? [])].sort() });
    assert.deepEqual(sort(s.live), sort(c.object), c.name);
  } else assert.deepEqual(s.live, c.object, c.name);
  const got: Record<string, string[]> = {};
  for (const m of s.managers.values()) got[`${m.manager}/${m.operation}`] = m.set.paths().map(pathString).sort();
  assert.deepEqual(got, c.owned, c.name);
};

const setCases: Case[] = [
  {
    name: 'apply_twice',
    ops: [{ apply: 'default', obj: { list: ['a', 'c'] } }, { apply: 'default', obj: { list: ['a', 'b', 'c', 'd'] } }],
    object: { list: ['a', 'b', 'c', 'd'] },
    owned: { 'default/Apply': ['.list[="a"]', '.list[="b"]', '.list[="c"]', '.list[="d"]'] },
  },
  {
    name: 'apply_update_apply_no_overlap',
    ops: [
      { apply: 'default', obj: { list: ['a', 'c'] } },
      { update: 'controller', obj: { list: ['a', 'b', 'c', 'd'] } },
      { apply: 'default', obj: { list: ['a', 'aprime', 'c', 'cprime'] } },
    ],
    object: { list: ['a', 'aprime', 'b', 'c', 'cprime', 'd'] },
    unordered: true,
    owned: {
      'default/Apply': ['.list[="a"]', '.list[="aprime"]', '.list[="c"]', '.list[="cprime"]'],
      'controller/Update': ['.list[="b"]', '.list[="d"]'],
    },
  },
  {
    name: 'apply_update_apply_with_overlap',
    ops: [
      { apply: 'default', obj: { list: ['a', 'c'] } },
      { update: 'controller', obj: { list: ['a', 'b', 'c', 'd'] } },
      { apply: 'default', obj: { list: ['a', 'b', 'c'] } },
    ],
    object: { list: ['a', 'b', 'c', 'd'] },
    owned: {
      'default/Apply': ['.list[="a"]', '.list[="b"]', '.list[="c"]'],
      'controller/Update': ['.list[="b"]', '.list[="d"]'],
    },
  },
  {
    name: 'apply_twice_reorder',
    ops: [{ apply: 'default', obj: { list: ['a', 'b', 'c', 'd'] } }, { apply: 'default', obj: { list: ['a', 'd', 'c', 'b'] } }],
    object: { list: ['a', 'd', 'c', 'b'] },
    owned: { 'default/Apply': ['.list[="a"]', '.list[="b"]', '.list[="c"]', '.list[="d"]'] },
  },
  {
    name: 'apply_update_apply_reorder',
    ops: [
      { apply: 'default', obj: { list: ['a', 'b', 'c', 'd'] } },
      { update: 'controller', obj: { list: ['a', 'd', 'c', 'b'] } },
      { apply: 'default', obj: { list: ['a', 'b', 'c', 'd'] } },
    ],
    object: { list: ['a', 'b', 'c', 'd'] },
    owned: { 'default/Apply': ['.list[="a"]', '.list[="b"]', '.list[="c"]', '.list[="d"]'] },
  },
  {
    name: 'apply_twice_remove',
    ops: [{ apply: 'default', obj: { list: ['a', 'b', 'c', 'd'] } }, { apply: 'default', obj: { list: ['a', 'c'] } }],
    object: { list: ['a', 'c'] },
    owned: { 'default/Apply': ['.list[="a"]', '.list[="c"]'] },
  },
];

test('set lists (merge/set_test.go)', () => {
  for (const c of setCases) run(sets, c);
});

test('associative lists keyed by name (merge/key_test.go)', () => {
  run(keyed, {
    name: 'removing_obsolete_applied_structs',
    ops: [{ apply: 'default', obj: { list: [{ name: 'a', value: 1 }] } }, { apply: 'default', obj: { list: [{ name: 'b', value: 2 }] } }],
    object: { list: [{ name: 'b', value: 2 }] },
    owned: { 'default/Apply': ['.list[name="b"]', '.list[name="b"].name', '.list[name="b"].value'] },
  });
  // The applier owns the items it applied: dropping one removes it even where another manager
  // changed a field inside it (nobody else owns the item itself); items another manager added stay.
  run(keyed, {
    name: 'apply_update_drop',
    ops: [
      { apply: 'default', obj: { list: [{ name: 'a', value: 1 }, { name: 'b', value: 2 }] } },
      { update: 'controller', obj: { list: [{ name: 'a', value: 1 }, { name: 'b', value: 3 }, { name: 'c', value: 4 }] } },
      { apply: 'default', obj: { list: [{ name: 'a', value: 1 }] } },
    ],
    object: { list: [{ name: 'a', value: 1 }, { name: 'c', value: 4 }] },
    owned: {
      'default/Apply': ['.list[name="a"]', '.list[name="a"].name', '.list[name="a"].value'],
      'controller/Update': ['.list[name="c"]', '.list[name="c"].name', '.list[name="c"].value'],
    },
  });
});

const appliers = struct({ numeric: num, string: str, bool: str, list: setList(), labels: map(str), selector: map(str, true) });

test('multiple appliers: same value is shared, a different one conflicts, force takes it (merge/multiple_appliers_test.go)', () => {
  const s = new State(appliers);
  s.apply('apply-one', { numeric: 1, string: 'a', labels: { app: 'x' } });
  s.apply('apply-two', { numeric: 1, string: 'a' });
  assert.deepEqual(s.owned('apply-one'), ['.labels.app', '.numeric', '.string']);
  assert.deepEqual(s.owned('apply-two'), ['.numeric', '.string']);
  assert.throws(
    () => s.apply('apply-two', { numeric: 2, string: 'a' }),
    (e: unknown) => e instanceof ConflictError && e.conflicts.length === 1 && pathString(e.conflicts[0]!.path) === '.numeric' && e.conflicts[0]!.manager.includes('apply-one'),
  );
  // Nothing changed by the refused apply.
  assert.deepEqual(s.live, { numeric: 1, string: 'a', labels: { app: 'x' } });
  s.apply('apply-two', { numeric: 2, string: 'a' }, true);
  assert.deepEqual(s.live, { numeric: 2, string: 'a', labels: { app: 'x' } });
  assert.deepEqual(s.owned('apply-one'), ['.labels.app', '.string']);
  assert.deepEqual(s.owned('apply-two'), ['.numeric', '.string']);
  // apply-one stops applying `string`: apply-two still owns it, so it stays.
  s.apply('apply-one', { labels: { app: 'x' } });
  assert.deepEqual(s.live, { numeric: 2, string: 'a', labels: { app: 'x' } });
  // apply-two stops too: now nobody owns it and it goes.
  s.apply('apply-two', { numeric: 2 });
  assert.deepEqual(s.live, { numeric: 2, labels: { app: 'x' } });
});

test('an Update takes the fields it changes; the applier conflicts with it and may force', () => {
  const s = new State(appliers);
  s.apply('kubectl', { numeric: 1, selector: { app: 'a' } });
  s.update('controller', { numeric: 3, selector: { app: 'a' } });
  assert.deepEqual(s.owned('kubectl'), ['.selector']);
  assert.deepEqual(s.owned('controller', 'Update'), ['.numeric']);
  assert.throws(() => s.apply('kubectl', { numeric: 1, selector: { app: 'a' } }), ConflictError);
  // Applying the live value again is no conflict: the applier co-owns.
  s.apply('kubectl', { numeric: 3, selector: { app: 'a' } });
  assert.deepEqual(s.owned('kubectl'), ['.numeric', '.selector']);
  assert.deepEqual(s.owned('controller', 'Update'), ['.numeric']);
  // An atomic map is one field: changing a key conflicts on the whole map.
  s.update('controller', { numeric: 3, selector: { app: 'b' } });
  try {
    s.apply('kubectl', { numeric: 3, selector: { app: 'a' } });
    assert.fail('expected a conflict');
  } catch (e) {
    assert.ok(e instanceof ConflictError);
    assert.deepEqual(e.conflicts.map((c) => pathString(c.path)), ['.selector']);
  }
});

test('an Update that removes a field takes it from its owners without conflict', () => {
  const s = new State(appliers);
  s.apply('kubectl', { numeric: 1, string: 's' });
  s.update('editor', { numeric: 1 });
  assert.deepEqual(s.owned('kubectl'), ['.numeric']);
  assert.deepEqual(s.managerNames(), ['kubectl/Apply']);
});

test('atomic lists are owned and replaced whole', () => {
  const s = new State(struct({ args: atomicList(str) }));
  s.apply('a', { args: ['x', 'y'] });
  assert.deepEqual(s.owned('a'), ['.args']);
  assert.throws(() => s.apply('b', { args: ['x'] }), ConflictError);
  s.apply('b', { args: ['x'] }, true);
  assert.deepEqual(s.live, { args: ['x'] });
});

test('key fields missing from an item take their schema default (ports without protocol are TCP)', () => {
  const ports = struct({ ports: keyedList(struct({ port: num, protocol: str, name: str }, { protocol: 'TCP' }), 'port', 'protocol') });
  const s = new State(ports);
  s.apply('a', { ports: [{ port: 80, name: 'http' }] });
  s.update('ctl', { ports: [{ port: 80, name: 'http', protocol: 'TCP' }] });
  assert.deepEqual(s.owned('a'), ['.ports[port=80,protocol="TCP"]', '.ports[port=80,protocol="TCP"].name', '.ports[port=80,protocol="TCP"].port']);
  assert.deepEqual(s.owned('ctl', 'Update'), ['.ports[port=80,protocol="TCP"].protocol']);
  // A duplicate key in a configuration is refused, as upstream's typed patch object.
  assert.throws(() => s.apply('a', { ports: [{ port: 80 }, { port: 80, protocol: 'TCP' }] }), /\.ports: duplicate entries for key \[port=80,protocol="TCP"\]/);
});
