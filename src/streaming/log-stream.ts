// A container log as a chunked text/plain response, each chunk sent as it arrives (so that
// `kubectl logs -f` shows lines as they are written) and stopped when the reader goes away: the
// kubelet's containerLogs writes it, and the API server relays it for pods/log.
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

export function sendLogStream(res: ServerResponse, stream: Readable | undefined): Promise<void> {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  if (!stream) {
    res.end();
    return Promise.resolve();
  }
  res.flushHeaders();
  return new Promise<void>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      stream.destroy();
      resolve();
    };
    stream.on('data', (chunk: Buffer | string) => {
      // Backpressure: a slow reader pauses the container's log rather than buffering it here.
      if (!res.write(chunk)) {
        stream.pause();
        res.once('drain', () => stream.resume());
      }
    });
    stream.once('end', () => {
      res.end();
      finish();
    });
    stream.once('error', () => {
      // Headers are out; all we can do is end the body, as upstream does when the kubelet drops.
      res.end();
      finish();
    });
    // The client went away (kubectl logs -f interrupted): stop following.
    // (res, not req: a request's 'close' only says its body was read.)
    res.once('close', finish);
    // Gone already while the log was being opened (on the API server: while the kubelet answered).
    if (res.destroyed || !res.socket || res.socket.destroyed) finish();
  });
}
