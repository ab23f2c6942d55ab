// Where the `kubesvc` command's entry module is, for starting kubesvc again as another process
// (netns mode's node agents): main.js beside this module, in the bundle (dist/bundle/) as in the
// plain compiled tree (dist/src/cli/).
import { fileURLToPath } from 'node:url';

export function kubesvcMain(): string {
  return fileURLToPath(new URL('main.js', import.meta.url));
}
