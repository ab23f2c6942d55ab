// The image service over a Unix socket, as the kubelet reaches containerd's CRI ImageService: in
// netns mode each node's agent runs inside its node's network namespace, which has no route out
// (nothing leaves the bridge), while registries are reached from the machine's own namespace. So
// `kubesvc up` serves pulls there — one image store for every node, one pull at a time per image —
// and the agents ask over DIR/image-service.sock. A socket is a file, reachable from any network
// namespace; it is created 0600, so only the owner (root, in netns mode) may pull through it.
//
// The protocol is one request per connection, newline-delimited JSON: the agent sends its
// PullRequest; the service answers with progress lines and a last line carrying the image or the
// error (with its kind, so ErrImagePull and ErrImageNeverPull stay apart).
import { chmodSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { LineSplitter } from '../../client/line-splitter.js';
import { errorText, logger } from '../../util/log.js';
import { ImageNeverPullError, ImagePullError, type ImagePuller, type PullProgress, type PullRequest, type PulledImage } from './image-puller.js';

const log = logger('images');

type Answer = { progress: PullProgress } | { image: PulledImage } | { error: { kind: 'pull' | 'never'; message: string } };

/** Longest request line accepted: an image name and pull secrets, not more. */
const maxRequestBytes = 1 << 20;

export interface ImageService {
  readonly path: string;
  close(): Promise<void>;
}

function validRequest(v: unknown): v is PullRequest {
  const r = v as Partial<PullRequest> | null;
  return (
    !!r &&
    typeof r.image === 'string' &&
    (r.pullPolicy === 'Always' || r.pullPolicy === 'IfNotPresent' || r.pullPolicy === 'Never') &&
    Array.isArray(r.pullSecrets) &&
    r.pullSecrets.every((s) => !!s && typeof s === 'object' && !Array.isArray(s))
  );
}

/** Serves `puller` on a Unix socket at `path` (an old socket file there is replaced). */
export async function serveImages(puller: ImagePuller, path: string): Promise<ImageService> {
  rmSync(path, { force: true });
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const send = (a: Answer) => {
      if (!socket.destroyed) socket.write(`${JSON.stringify(a)}\n`);
    };
    const lines = new LineSplitter();
    let size = 0;
    let asked = false;
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxRequestBytes) return socket.destroy();
      for (const line of lines.push(chunk)) {
        if (asked) return socket.destroy();
        asked = true;
        let req: unknown;
        try {
          req = JSON.parse(line);
        } catch {
          req = undefined;
        }
        if (!validRequest(req)) {
          send({ error: { kind: 'pull', message: 'image service: not a pull request' } });
          socket.end();
          return;
        }
        puller.ensure(req, (progress) => send({ progress })).then(
          (image) => {
            send({ image });
            socket.end();
          },
          (e: unknown) => {
            send({ error: { kind: e instanceof ImageNeverPullError ? 'never' : 'pull', message: errorText(e) } });
            socket.end();
          },
        );
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o600);
  return {
    path,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(path, { force: true });
    },
  };
}

/** The agent's side: an ImagePuller that asks the image service at `path`. */
export class RemoteImagePuller implements ImagePuller {
  constructor(private readonly path: string) {}

  ensure(req: PullRequest, progress?: (p: PullProgress) => void): Promise<PulledImage> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const finish = (fn: () => void) => {
        if (settled) return;
        settled = true;
        fn();
      };
      const socket = createConnection(this.path);
      const lines = new LineSplitter();
      socket.on('connect', () => socket.write(`${JSON.stringify(req)}\n`));
      socket.on('data', (chunk: Buffer) => {
        for (const line of lines.push(chunk)) {
          let a: Answer;
          try {
            a = JSON.parse(line) as Answer;
          } catch {
            finish(() => reject(new ImagePullError(`image service: unreadable answer`)));
            socket.destroy();
            return;
          }
          if ('progress' in a) progress?.(a.progress);
          else if ('image' in a) finish(() => resolve(a.image));
          else if ('error' in a) finish(() => reject(a.error.kind === 'never' ? new ImageNeverPullError(a.error.message) : new ImagePullError(a.error.message)));
        }
      });
      socket.on('error', (e) => {
        log.warn(`image service ${this.path}: ${errorText(e)}`);
        finish(() => reject(new ImagePullError(`image service ${this.path} unreachable: ${errorText(e)}`)));
      });
      socket.on('close', () => finish(() => reject(new ImagePullError('image service closed the connection before answering'))));
    });
  }
}
