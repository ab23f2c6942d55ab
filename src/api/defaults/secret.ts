// What upstream does to a v1 Secret on its way in: the conversion to the internal type merges
// stringData into data (stringData wins), so stringData is never stored nor returned; then
// SetDefaults_Secret gives an empty type "Opaque".
import type { Secret } from '../core.js';

export function setDefaultsSecret(s: Secret): void {
  if (s.stringData !== undefined) {
    const entries = Object.entries(s.stringData ?? {});
    if (entries.length > 0) {
      s.data ??= {};
      for (const [k, v] of entries) s.data[k] = Buffer.from(v, 'utf8').toString('base64');
    }
    delete s.stringData;
  }
  if (!s.type) s.type = 'Opaque';
}
