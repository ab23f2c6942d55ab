// The Kubernetes protobuf envelope: the magic `k8s\0`, then a runtime.Unknown whose typeMeta names
// the kind and whose raw holds the kind's own message (k8s.io/apimachinery runtime/serializer/protobuf).
import type { KubeObject } from '../../api/meta.js';
import { errors } from '../../machinery/status.js';
import { decodeMessage, K8S_PROTOBUF_MAGIC, setNestedEnvelopeDecoder } from './decode.js';
import { encodeMessage } from './encode.js';
import { KINDS, META_KINDS, SERVED_GROUP_VERSIONS } from './generated.js';
import { readFields, Writer } from './wire.js';

export const PROTOBUF_MEDIA_TYPE = 'application/vnd.kubernetes.protobuf';

export interface DecodedProtobuf {
  apiVersion: string;
  kind: string;
  /** The object as Go's encoding/json would print the decoded struct, kind and apiVersion first. */
  object: Record<string, unknown>;
}

/** The table's message for a group-version-kind, or undefined when the table has none. */
export function protobufMessageFor(apiVersion: string, kind: string): string | undefined {
  return KINDS[`${apiVersion}/${kind}`] ?? META_KINDS[kind];
}

/** Whether encodeK8sProtobuf can write this kind (Table, for one, has no protobuf form upstream either). */
export function canEncodeProtobuf(apiVersion: string, kind: string): boolean {
  return protobufMessageFor(apiVersion, kind) !== undefined;
}

function str(b: Buffer | undefined): string {
  return b ? b.toString('utf8') : '';
}

/** Splits the envelope into its type and payload without interpreting the payload. */
export function readEnvelope(buf: Buffer): { apiVersion: string; kind: string; raw: Buffer; contentEncoding: string } {
  if (buf.length < 4 || !buf.subarray(0, 4).equals(K8S_PROTOBUF_MAGIC)) {
    throw errors.badRequest(
      'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
    );
  }
  const unknown = readFields(buf.subarray(4));
  const typeMeta = readFields(unknown.get(1)?.at(-1)?.bytes ?? Buffer.alloc(0));
  return {
    apiVersion: str(typeMeta.get(1)?.at(-1)?.bytes),
    kind: str(typeMeta.get(2)?.at(-1)?.bytes),
    raw: unknown.get(2)?.at(-1)?.bytes ?? Buffer.alloc(0),
    contentEncoding: str(unknown.get(3)?.at(-1)?.bytes),
  };
}

/**
 * Decodes a `application/vnd.kubernetes.protobuf` body into the JSON object a client would have
 * sent as `application/json`. Malformed bodies and kinds of groups we do not serve are 400s;
 * kinds of served group versions that have no protobuf table are 415s.
 */
export function decodeK8sProtobuf(buf: Buffer): DecodedProtobuf {
  const env = readEnvelope(buf);
  if (!env.kind) throw errors.badRequest("Object 'Kind' is missing in protobuf data");
  if (env.contentEncoding) throw errors.badRequest(`unsupported content encoding "${env.contentEncoding}"`);
  const msg = protobufMessageFor(env.apiVersion, env.kind);
  if (!msg) {
    if (SERVED_GROUP_VERSIONS.includes(env.apiVersion)) throw errors.unsupportedMediaType(PROTOBUF_MEDIA_TYPE);
    throw errors.badRequest(
      `no kind "${env.kind}" is registered for version "${env.apiVersion}" in scheme "pkg/api/legacyscheme/scheme.go:30"`,
    );
  }
  // metav1.TypeMeta is inline with omitempty: kind, then apiVersion, only when set.
  const object: Record<string, unknown> = { kind: env.kind };
  if (env.apiVersion) object.apiVersion = env.apiVersion;
  Object.assign(object, decodeMessage(msg, env.raw) as Record<string, unknown>);
  return { apiVersion: env.apiVersion, kind: env.kind, object };
}

setNestedEnvelopeDecoder((buf) => decodeK8sProtobuf(buf).object);

/**
 * Encodes an object (any served kind, its List, Status, DeleteOptions, WatchEvent, ...) as a
 * Kubernetes protobuf body; 406 for kinds with no protobuf table.
 */
export function encodeK8sProtobuf(obj: KubeObject | Record<string, unknown>): Buffer {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const msg = protobufMessageFor(apiVersion, kind);
  if (!msg) throw errors.notAcceptable(`${apiVersion}/${kind} has no protobuf encoding`);
  const typeMeta = new Writer();
  typeMeta.bytes(1, Buffer.from(apiVersion, 'utf8'));
  typeMeta.bytes(2, Buffer.from(kind, 'utf8'));
  // runtime.Unknown as Go writes it: typeMeta, raw, then the two always-present empty strings.
  const unknown = new Writer();
  unknown.bytes(1, typeMeta.finish());
  unknown.bytes(2, encodeMessage(msg, obj));
  unknown.bytes(3, Buffer.alloc(0));
  unknown.bytes(4, Buffer.alloc(0));
  return Buffer.concat([K8S_PROTOBUF_MAGIC, unknown.finish()]);
}
