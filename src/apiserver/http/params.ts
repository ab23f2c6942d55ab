// Query parameters of API requests, parsed with upstream's rules and errors.
import { errors } from '../../machinery/status.js';
import type { FieldValidation } from '../store/context.js';

export class Params {
  constructor(private readonly q: URLSearchParams) {}

  str(name: string): string | undefined {
    const v = this.q.get(name);
    return v === null ? undefined : v;
  }

  bool(name: string): boolean {
    const v = this.q.get(name);
    return v === 'true' || v === '1' || (v === '' && this.q.has(name));
  }

  int(name: string): number | undefined {
    const v = this.q.get(name);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw errors.badRequest(`invalid value for ${name}: ${JSON.stringify(v)}: not an integer`);
    return n;
  }

  dryRun(): boolean {
    const vals = this.q.getAll('dryRun');
    for (const v of vals) {
      if (v !== 'All') throw errors.badRequest(`Invalid dry run value: ${JSON.stringify(v)}: supported values: "All"`);
    }
    return vals.length > 0;
  }

  fieldValidation(): FieldValidation {
    const v = this.q.get('fieldValidation');
    if (v === null || v === '') return 'Warn';
    if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
    throw errors.badRequest(`fieldValidation parameter unsupported: ${v}. Supported values: Ignore, Warn, Strict`);
  }
}
