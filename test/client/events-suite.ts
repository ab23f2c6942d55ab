// The event recorder against a real API server: Events as client-go's recorder writes them,
// and repeats folded into one Event's count.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Event } from '../../src/api/core.js';
import type { Client } from '../../src/client/client.js';
import { EventRecorder } from '../../src/client/events.js';
import { R } from '../../src/client/resources.js';
import { endpoints, namespace, type ClientFixture, type Setup } from './fixtures.js';

export function runEventSuite(name: string, setup: Setup): void {
  describe(`EventRecorder: ${name}`, () => {
    let f: ClientFixture;
    let c: Client;
    const ns = 'events';

    before(async () => {
      f = await setup();
      c = f.client;
      await c.create(R.namespaces, undefined, namespace(ns));
    });
    after(async () => {
      await f.close();
    });

    it('writes an Event about the object', async () => {
      const obj = await c.create(R.endpoints, ns, endpoints('subject', ns));
      const rec = new EventRecorder(c, 'test-controller', 'node-1');
      rec.event(obj, 'Normal', 'Synced', 'all good');
      await rec.flush();
      const list = await c.list<Event>(R.events, ns, { fieldSelector: 'involvedObject.name=subject' });
      assert.equal(list.items.length, 1);
      const ev = list.items[0]!;
      assert.match(ev.metadata.name!, /^subject\.[0-9a-f]+$/);
      assert.equal(ev.metadata.namespace, ns);
      assert.deepEqual(ev.involvedObject, {
        kind: 'Endpoints',
        namespace: ns,
        name: 'subject',
        uid: obj.metadata.uid,
        apiVersion: 'v1',
        resourceVersion: obj.metadata.resourceVersion,
      });
      assert.equal(ev.type, 'Normal');
      assert.equal(ev.reason, 'Synced');
      assert.equal(ev.message, 'all good');
      assert.deepEqual(ev.source, { component: 'test-controller', host: 'node-1' });
      assert.equal(ev.count, 1);
      assert.match(ev.firstTimestamp!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(ev.lastTimestamp, ev.firstTimestamp);
    });

    it('folds repeats into one Event with a count; a different message is a new Event', async () => {
      const obj = await c.create(R.endpoints, ns, endpoints('repeat', ns));
      const rec = new EventRecorder(c, 'test-controller');
      for (let i = 0; i < 3; i++) rec.event(obj, 'Warning', 'Failed', 'it broke');
      rec.event(obj, 'Warning', 'Failed', 'it broke differently');
      await rec.flush();
      const list = await c.list<Event>(R.events, ns, { fieldSelector: 'involvedObject.name=repeat' });
      const byMessage = new Map(list.items.map((e) => [e.message, e]));
      assert.equal(list.items.length, 2);
      assert.equal(byMessage.get('it broke')?.count, 3);
      assert.equal(byMessage.get('it broke')?.type, 'Warning');
      assert.equal(byMessage.get('it broke differently')?.count, 1);
    });

    it('events about cluster-scoped objects go to "default"; an Event deleted meanwhile is created again', async () => {
      const nsObj = await c.get(R.namespaces, undefined, ns);
      const rec = new EventRecorder(c, 'test-controller');
      rec.event(nsObj, 'Normal', 'Seen', 'hello');
      await rec.flush();
      const list = await c.list<Event>(R.events, 'default', { fieldSelector: `involvedObject.name=${ns}` });
      assert.equal(list.items.length, 1);
      await c.delete(R.events, 'default', list.items[0]!.metadata.name!);
      rec.event(nsObj, 'Normal', 'Seen', 'hello');
      await rec.flush();
      const again = await c.list<Event>(R.events, 'default', { fieldSelector: `involvedObject.name=${ns}` });
      assert.equal(again.items.length, 1);
      assert.equal(again.items[0]!.count, 2);
    });

    it('never throws: a failed write is logged', async () => {
      const rec = new EventRecorder(c, 'test-controller');
      rec.event({ metadata: { name: 'x', namespace: 'no-such-namespace' } }, 'Normal', 'R', 'm');
      rec.event({ metadata: {} }, 'Normal', 'R', 'no name');
      await rec.flush();
    });
  });
}
