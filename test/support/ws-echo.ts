// A WebSocket echo server for ingress tests, run as a `kubesvc.io/host` pod: it listens on the
// pod's address (POD_IP), port 8080, echoes every message with the pod's name in front, and answers
// plain HTTP GETs with the pod's name.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const name = process.env.HOSTNAME ?? 'ws-echo';
const server = createServer((_req, res) => res.end(`${name}\n`));
const wss = new WebSocketServer({ server });
wss.on('connection', (ws, req) => {
  ws.send(`hello from ${name}; forwarded for ${String(req.headers['x-forwarded-for'] ?? '')}`);
  ws.on('message', (data) => ws.send(`${name}: ${String(data)}`));
});
server.listen(8080, process.env.POD_IP ?? '127.0.0.1');
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => process.exit(0));
