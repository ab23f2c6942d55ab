// Built-in images (agnhost, pause, serve_hostname) are Node programs shipped in src/node/images;
// the runtime asks that module which image names it knows and how to start them.
import { builtinImage, type BuiltinImage } from '../images/index.js';
import { imageRepository } from '../images/reference.js';

export type { BuiltinImage };

/** Kept for callers that awaited a lazy load; the images module is now a plain import. */
export async function loadBuiltinImages(): Promise<void> {}

export function builtinImageFor(image: string): BuiltinImage | undefined {
  return builtinImage(image);
}

/** Names for the message telling users which images kubesvc can run. */
export function builtinImageNames(): string[] {
  const candidates = [
    'registry.k8s.io/e2e-test-images/agnhost:2.53',
    'registry.k8s.io/serve_hostname:v1.4',
    'registry.k8s.io/pause:3.10',
  ];
  return candidates.filter((c) => builtinImageFor(c) !== undefined);
}

/** The built-in image (any tag) that runs the container's `command` on this machine, as is. */
export const hostImage = 'kubesvc.io/host';

/**
 * Which runtime an image needs: a built-in image or kubesvc.io/host runs as a process here; any
 * other image is an OCI image, pulled and run by an OCI runtime.
 */
export function imageKind(image: string): 'builtin' | 'host' | 'oci' {
  if (builtinImageFor(image)) return 'builtin';
  return imageRepository(image) === hostImage ? 'host' : 'oci';
}
