// glibc's malloc_trim(0), through the optional addon in native/malloc-trim (Node 20 has no FFI).
// glibc gives freed memory back to the kernel on its own only from the top of an arena; what a
// crowd of TLS connections freed lies between live allocations and stays resident until something
// walks the arenas and releases the free pages, which is what malloc_trim(0) does. `npm ci` builds
// the addon where a C compiler is present; without it this module does nothing and says so only
// at debug level: kubesvc works the same, it just keeps more memory after a crowd.
import { join } from 'node:path';
import { optionalAddon } from './native-addon.js';

/** Where node-gyp leaves the addon, relative to the package root. */
export const MALLOC_TRIM_ADDON = join('native', 'malloc-trim', 'build', 'Release', 'malloc_trim.node');

interface Addon {
  /** Runs malloc_trim(0) on libuv's thread pool; resolves with whether anything was released. */
  trim(): Promise<boolean>;
}

const load = optionalAddon<Addon>(MALLOC_TRIM_ADDON, (a) => typeof a.trim === 'function', 'freed C heap is returned only as glibc does by itself');

/** Whether the addon was built and loads here. */
export function mallocTrimAvailable(): boolean {
  return load() !== null;
}

/**
 * Returns every whole free page of the C heap to the kernel, off the event loop. It walks every
 * arena and holds each one's lock meanwhile (bench/README.md has its cost), so call it rarely.
 * Resolves with whether glibc released anything; undefined when the addon is not available.
 */
export function mallocTrim(): Promise<boolean> | undefined {
  const a = load();
  return a ? a.trim() : undefined;
}
