// Kubernetes protobuf (application/vnd.kubernetes.protobuf) for the kinds kubesvc serves.
export {
  canEncodeProtobuf,
  decodeK8sProtobuf,
  encodeK8sProtobuf,
  PROTOBUF_MEDIA_TYPE,
  protobufMessageFor,
  readEnvelope,
  type DecodedProtobuf,
} from './envelope.js';
export { decodeMessage, K8S_PROTOBUF_MAGIC } from './decode.js';
export { encodeMessage } from './encode.js';
export { encodeProtobufWatchEvent, readProtobufWatchEvents, type ProtobufWatchEvent } from './watch.js';
