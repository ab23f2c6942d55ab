// The ServiceAccount strategy's PrepareForCreate/PrepareForUpdate (cleanSecretReferences): a
// reference to a Secret keeps only its name, whatever else the client sent.
import type { ServiceAccount } from '../core.js';

export function cleanSecretReferences(sa: ServiceAccount): void {
  if (!Array.isArray(sa.secrets)) return;
  sa.secrets = sa.secrets.map((r) => (r?.name ? { name: r.name } : {}));
}
