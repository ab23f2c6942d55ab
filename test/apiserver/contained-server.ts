// A test API server in its own process, with a `services/proxy` handler that fails in every way a
// handler can (chosen by `?mode=`), so the containment test can check the process survives each.
// Prints one JSON line {url, kubeconfig} when ready; SIGTERM stops it.
import { EventEmitter } from 'node:events';
import { startTestApiServer } from '../support/apiserver.js';
import { guard } from '../../src/apiserver/http/containment.js';

// Emits outside any request's async context, as a shared informer or socket would.
const bus = new EventEmitter();
const tick = setInterval(() => bus.emit('tick'), 20);

const t = await startTestApiServer({ prefix: 'kubesvc-contained-' });
t.api.subresources['services/proxy'] = async (req, res) => {
  const mode = new URL(req.url ?? '/', 'https://x').searchParams.get('mode');
  switch (mode) {
    case 'throw-before':
      throw new Error('boom before writing');
    case 'throw-after-headers':
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial answer');
      throw new Error('boom after the headers');
    case 'timer':
      setTimeout(() => {
        throw new Error('boom in a timer');
      }, 10);
      return;
    case 'rejection':
      void Promise.reject(new Error('boom in a rejected promise'));
      return;
    case 'req-listener':
      req.on('end', () => {
        throw new Error('boom in a req listener');
      });
      req.resume();
      return;
    case 'res-listener':
      res.on('finish', () => {
        throw new Error('boom in a res listener');
      });
      res.end('done');
      return;
    case 'guarded-listener':
      bus.once(
        'tick',
        guard(() => {
          throw new Error('boom in a guarded listener');
        }),
      );
      return;
    case 'unattributable':
      // Not any request's fault once it runs: must stay fatal, as before containment.
      bus.once('tick', () => {
        throw new Error('boom nobody owns');
      });
      res.end('scheduled');
      return;
    default:
      res.end('ok');
  }
};
process.stdout.write(`${JSON.stringify({ url: t.api.url, kubeconfig: t.kubeconfig })}\n`);
process.on('SIGTERM', () => {
  clearInterval(tick);
  void t.stop().then(() => process.exit(0));
});
