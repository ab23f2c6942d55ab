// The Prometheus registry's counters: a series taken once (Counter.series, what the ingress
// controller counts requests with) and inc with the same labels count into one exposed line.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Registry } from '../../src/proxy/metrics/registry.js';

describe('metrics registry counters', () => {
  it('a series is exposed at 0 from when it is taken, and counts with inc of the same labels', () => {
    const reg = new Registry();
    const c = reg.register(new Counter('requests_total', 'Requests'));
    const ok = c.series({ status: '200', method: 'GET' });
    assert.match(reg.expose(), /^requests_total\{status="200",method="GET"\} 0$/m);
    ok.inc();
    ok.inc(2);
    c.inc(1, { status: '200', method: 'GET' });
    c.inc(1, { status: '404', method: 'GET' });
    const text = reg.expose();
    assert.match(text, /^requests_total\{status="200",method="GET"\} 4$/m);
    assert.match(text, /^requests_total\{status="404",method="GET"\} 1$/m);
    assert.equal(c.get({ status: '200', method: 'GET' }), 4);
    // Taking the series again finds the same one.
    c.series({ status: '404', method: 'GET' }).inc();
    assert.equal(c.get({ status: '404', method: 'GET' }), 2);
  });
});
