// Loading kubesvc's optional Node-API addons (native/*, built by scripts/build-native.mjs at
// `npm ci` where a C compiler is present). Each addon only makes something faster or leaner;
// without it kubesvc works the same, so a missing or unloadable addon is said at debug level and
// the caller takes its JavaScript path.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { logger } from './log.js';

const log = logger('native');

/**
 * The addon's path, found by walking up from this module: it runs from dist/src/util (tsc's
 * output) or from dist/bundle (the CLI bundle), so the package root is two or three levels up.
 */
function addonPath(relative: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const p = join(dir, relative);
    if (existsSync(p)) return p;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/**
 * Loads the addon at `relative` (from the package root) once; null when it is not built, does not
 * load (a build for another Node or C library) or lacks what `usable` checks. `without` says in a
 * few words what kubesvc does then, for the debug log.
 */
export function optionalAddon<T>(relative: string, usable: (loaded: Partial<T>) => boolean, without: string): () => T | null {
  let addon: T | null | undefined;
  return () => {
    if (addon !== undefined) return addon;
    addon = null;
    const path = addonPath(relative);
    if (!path) {
      log.debug(`${relative} not built (no C compiler at npm ci?): ${without}`);
      return addon;
    }
    try {
      const loaded = createRequire(import.meta.url)(path) as Partial<T>;
      if (usable(loaded)) addon = loaded as T;
      else log.debug(`${path} is not the addon expected: ${without}`);
    } catch (err) {
      log.debug(`${path} did not load (${err instanceof Error ? err.message : String(err)}): ${without}`);
    }
    return addon;
  };
}
