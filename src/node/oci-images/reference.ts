// Image references normalized as containerd and the kubelet see them (distribution/reference's
// ParseNormalizedNamed): "nginx" is docker.io/library/nginx:latest, a first component with a dot, a
// colon or equal to "localhost" is a registry host, a digest wins over a tag when both are given.
export const DOCKER_HUB = 'docker.io';

export interface ImageReference {
  /** Registry host as users name it ("docker.io", "127.0.0.1:5000", "ghcr.io"). */
  registry: string;
  /** Repository path in the registry ("library/busybox"). */
  repository: string;
  tag?: string;
  digest?: string;
}

export class InvalidReferenceError extends Error {}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;

export function parseReference(image: string): ImageReference {
  const bad = () => new InvalidReferenceError(`couldn't parse image name "${image}": invalid reference format`);
  if (image.length === 0 || image.length > 4096 || image !== image.trim()) throw bad();
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw bad();
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  // A colon after the last slash starts a tag; one before it belongs to a registry port.
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad();
  }
  let registry = DOCKER_HUB;
  let path = rest;
  const first = rest.indexOf('/');
  if (first >= 0) {
    const head = rest.slice(0, first);
    if (head.includes('.') || head.includes(':') || head === 'localhost' || head !== head.toLowerCase()) {
      registry = head;
      path = rest.slice(first + 1);
      if (!HOST.test(registry)) throw bad();
    }
  }
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  if (path.length === 0 || path.length > 255) throw bad();
  for (const c of path.split('/')) if (!COMPONENT.test(c)) throw bad();
  if (registry === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  if (tag === undefined && digest === undefined) tag = 'latest';
  return { registry, repository: path, tag, digest };
}

/** "docker.io/library/busybox": the name status.imageID and the keyring use. */
export function fullName(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}`;
}

/** The normalized reference the store indexes ("docker.io/library/busybox:latest", "...@sha256:..."). */
export function canonicalReference(ref: ImageReference): string {
  return ref.digest ? `${fullName(ref)}@${ref.digest}` : `${fullName(ref)}:${ref.tag}`;
}
