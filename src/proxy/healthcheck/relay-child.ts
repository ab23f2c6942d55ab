// The node-side half of the health relay (see relay.ts): started inside a node's network namespace,
// it listens where the parent asks and hands each request to the parent, which knows the answer.
// Lines of JSON on stdin/stdout; when the parent goes away (stdin closes), so does this process.
import { createServer, type Server, type ServerResponse } from 'node:http';
import { createInterface } from 'node:readline';

interface Listen {
  op: 'listen';
  key: string;
  host: string;
  port: number;
}
interface Close {
  op: 'close';
  key: string;
}
interface Res {
  op: 'res';
  id: number;
  status: number;
  headers: Record<string, string>;
  body: string;
}
type FromParent = Listen | Close | Res;

const servers = new Map<string, Server>();
const pending = new Map<number, ServerResponse>();
let nextId = 0;
const send = (m: object) => process.stdout.write(`${JSON.stringify(m)}\n`);

function listen(m: Listen): void {
  const server = createServer((_req, res) => {
    const id = ++nextId;
    pending.set(id, res);
    res.on('close', () => pending.delete(id));
    send({ op: 'req', id, key: m.key });
  });
  server.keepAliveTimeout = 5_000;
  server.once('error', (e: NodeJS.ErrnoException) => send({ op: 'listen-error', key: m.key, message: `listen tcp ${m.host}:${m.port}: ${e.code ?? e.message}` }));
  server.listen({ host: m.host, port: m.port, exclusive: true }, () => send({ op: 'listening', key: m.key }));
  servers.set(m.key, server);
}

createInterface({ input: process.stdin }).on('line', (line) => {
  let m: FromParent;
  try {
    m = JSON.parse(line) as FromParent;
  } catch {
    return;
  }
  if (m.op === 'listen') listen(m);
  else if (m.op === 'close') {
    const s = servers.get(m.key);
    servers.delete(m.key);
    if (s) {
      s.close(() => send({ op: 'closed', key: m.key }));
      s.closeAllConnections();
    } else send({ op: 'closed', key: m.key });
  } else if (m.op === 'res') {
    const res = pending.get(m.id);
    pending.delete(m.id);
    if (res && !res.headersSent) res.writeHead(m.status, m.headers).end(m.body);
  }
}).on('close', () => process.exit(0));
