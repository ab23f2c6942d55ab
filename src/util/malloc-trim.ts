// glibc's malloc_trim(0), through the optional addon in native/malloc-trim (Node 20 has no FFI).
// glibc gives freed memory back to the kernel on its own only from the top of an arena; what a
// crowd of TLS connections freed lies between live allocations and stays resident until something
// walks the arenas and releases the free pages, which is what malloc_trim(0) does. `npm ci` builds
// the addon where a C compiler is present; without it this module does nothing and says so only
// at debug level: kubesvc works the same, it just keeps more memory after a crowd.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logger } from './log.js';

const log = logger('memory');

/** Where node-gyp leaves the addon, relative to the package root. */
export const MALLOC_TRIM_ADDON = join('native', 'malloc-trim', 'build', 'Release', 'malloc_trim.node');

interface Addon {
  /** Runs malloc_trim(0) on libuv's thread pool; resolves with whether anything was released. */
  trim(): Promise<boolean>;
}

let addon: Addon | null | undefined;

/**
 * The addon's path, found by walking up from this module: it runs from dist/src/util (tsc's
 * output) or from dist/bundle (the CLI bundle), so the package root is two or three levels up.
 */
function addonPath(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, MALLOC_TRIM_ADDON);
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

function load(): Addon | null {
  if (addon !== undefined) return addon;
  addon = null;
  const path = addonPath();
  if (!path) {
    log.debug('malloc_trim addon not built (no C compiler at npm ci?): freed C heap is returned only as glibc does by itself');
    return addon;
  }
  try {
    const loaded = createRequire(import.meta.url)(path) as Partial<Addon>;
    if (typeof loaded.trim === 'function') addon = loaded as Addon;
    else log.debug(`malloc_trim addon at ${path} has no trim(): not used`);
  } catch (err) {
    // A build for another Node or C library: kubesvc runs as it would without it.
    log.debug(`malloc_trim addon at ${path} did not load: ${err instanceof Error ? err.message : String(err)}`);
  }
  return addon;
}

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
