// What the server says to a connection whose request Node's HTTP parser refused (headers past
// 16 KiB, a malformed request line, a header timeout). Node's default answer writes the status and
// destroys the socket at once; a client still sending its oversized headers then gets a TCP reset
// that can arrive before the answer and hide it (the client sees ECONNRESET, not 431). Here the
// answer is written, our side of the connection closed, and whatever the client still sends is
// read and dropped for a bounded time, so the status reaches it.
import type { Socket } from 'node:net';

// Long enough for a slow client on a loaded machine to finish sending what it started (a reset
// while its bytes are unread would hide the answer again); the byte cap bounds the cost.
const drainMs = 10_000;
const drainBytes = 1024 * 1024;

function statusFor(code: string | undefined): [number, string] {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return [431, 'Request Header Fields Too Large'];
    case 'HPE_HEADERS_TIMEOUT':
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return [408, 'Request Timeout'];
    default:
      return [400, 'Bad Request'];
  }
}

// Sockets answered and being drained: the parser, still attached, reports an error again for
// each further chunk the client sends, and those must not cut the drain short.
const answering = new WeakSet<Socket>();

export function answerClientError(err: NodeJS.ErrnoException & { bytesParsed?: number }, socket: Socket): void {
  if (answering.has(socket)) return;
  // A connection that broke, or whose current response has begun, has nothing more to say. (Not
  // bytesWritten: on a kept-alive connection earlier responses count there, and the request that
  // overflowed would get a reset instead of its 431; Node's own handler looks at the response too.)
  const current = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (err.code === 'ECONNRESET' || !socket.writable || current?.headersSent) {
    socket.destroy();
    return;
  }
  answering.add(socket);
  const [status, text] = statusFor(err.code);
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  let seen = 0;
  const timer = setTimeout(() => socket.destroy(), drainMs);
  timer.unref();
  socket.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > drainBytes) socket.destroy();
  });
  socket.on('close', () => clearTimeout(timer));
  socket.on('error', () => socket.destroy());
  socket.resume();
}
