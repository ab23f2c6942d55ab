// Reads and decodes request bodies: JSON or YAML, at most 3 MiB (upstream's limit), with
// upstream's 400/413/415 answers for bodies a server cannot use.
import type { IncomingMessage } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { errors } from '../../machinery/status.js';
import { decodeK8sProtobuf, PROTOBUF_MEDIA_TYPE } from '../protobuf/index.js';
import { jsonNestingError, yamlNestingError } from './nesting.js';

export const maxBodyBytes = 3 * 1024 * 1024;

/** How much of a too-large body is still read (and dropped) before the 413, at most. */
const drainBytes = 16 * 1024 * 1024;
const drainMs = 2_000;

/**
 * Reads on (dropping what arrives) until the client has sent its body, then calls `done`: a 413
 * answered while the client is still sending would be followed by closing a connection with
 * unread data, which the kernel turns into a reset that can destroy the answer before the client
 * reads it (as Go's server, which reads on after a handler, avoids too). Bounded in bytes and time.
 */
function drainThen(req: IncomingMessage, done: () => void): void {
  let seen = 0;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    done();
  };
  const timer = setTimeout(finish, drainMs);
  req.on('data', (c: Buffer) => {
    seen += c.length;
    if (seen > drainBytes) finish();
  });
  req.on('end', finish);
  req.on('error', finish);
  req.resume();
}

export function readBody(req: IncomingMessage, limit = maxBodyBytes): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > limit) {
      drainThen(req, () => reject(errors.tooLarge(limit)));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        drainThen(req, () => reject(errors.tooLarge(limit)));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
    });
  });
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
}

/**
 * Decodes an object body; YAML is accepted wherever JSON is, as upstream's serializers do, and
 * protobuf too: kubectl's typed commands (create namespace, create service ..., create
 * deployment) send it.
 */
export function decodeObject(buf: Buffer, type: string): unknown {
  if (buf.length === 0) throw errors.badRequest('the body of the request was empty');
  if (type === PROTOBUF_MEDIA_TYPE) return decodeK8sProtobuf(buf).object;
  const text = buf.toString('utf8');
  if (text.trim() === '') throw errors.badRequest('the body of the request was empty');
  let value: unknown;
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml') {
    const tooDeep = yamlNestingError(text);
    if (tooDeep) throw errors.badRequest(`error converting YAML to JSON: ${tooDeep}`);
    try {
      value = parseYaml(text);
    } catch (e) {
      throw errors.badRequest(`error converting YAML to JSON: ${firstLine(e)}`);
    }
  } else if (type.endsWith('json') || type === '*/*' || type === '') {
    const tooDeep = jsonNestingError(text);
    if (tooDeep) throw errors.badRequest(`couldn't get version/kind; json parse error: ${tooDeep}`);
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw errors.badRequest(`couldn't get version/kind; json parse error: ${firstLine(e)}`);
    }
  } else {
    throw errors.unsupportedMediaType(type);
  }
  return value;
}

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0]!;
}
