// Built-in images (agnhost, pause, ...) are Node programs shipped in src/node/images. They are
// loaded lazily through a computed specifier so the runtime works (plain `command` containers)
// even in a build that has no images module.
export interface BuiltinImage {
  entry: string;
  /** argv after the entry, from the container's command and args as ENTRYPOINT/CMD combine; may throw. */
  args(command: string[] | undefined, args: string[] | undefined): string[];
}

interface ImagesModule {
  builtinImage(image: string): BuiltinImage | undefined;
  builtinImageNames?: readonly string[];
  BUILTIN_IMAGES?: readonly string[];
}

let loaded: ImagesModule | null | undefined;

/** Loads the images module once; later calls are synchronous lookups. */
export async function loadBuiltinImages(): Promise<void> {
  if (loaded !== undefined) return;
  const specifier = '../images/index.js';
  try {
    loaded = (await import(specifier)) as ImagesModule;
  } catch {
    loaded = null;
  }
}

export function builtinImageFor(image: string): BuiltinImage | undefined {
  return loaded?.builtinImage?.(image);
}

/** Names for the message telling users which images kubesvc can run. */
export function builtinImageNames(): string[] {
  const names = loaded?.builtinImageNames ?? loaded?.BUILTIN_IMAGES;
  if (names?.length) return [...names];
  // The images module does not list its names: offer the ones it answers for.
  const candidates = [
    'registry.k8s.io/e2e-test-images/agnhost:2.53',
    'registry.k8s.io/serve_hostname:v1.4',
    'registry.k8s.io/pause:3.10',
  ];
  return candidates.filter((c) => builtinImageFor(c) !== undefined);
}
