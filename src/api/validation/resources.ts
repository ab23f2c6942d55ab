// A container's resources (upstream's ValidateContainerResourceRequirements, the part every
// resource name shares): each quantity must not be negative (ValidateNonnegativeQuantity).
// Quantities that do not parse never get here: the typed decoder refuses them with
// resource.ParseQuantity's errors; one that parses however large ("1e1000", DecimalExponent
// has no cap in ParseQuantity) is valid, as upstream.
import { fieldErr, type FieldError, type Path } from '../../machinery/field.js';
import { isNegativeErrorMsg } from './messages.js';

/** A parsed quantity's sign, read off its text: a leading '-' and a non-zero number. */
function quantityIsNegative(q: string): boolean {
  const m = /^\s*([+-]?)(\d*\.?\d*)/.exec(q);
  return m !== null && m[1] === '-' && /[1-9]/.test(m[2]!);
}

export function validateResourceRequirements(resources: unknown, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (resources === null || typeof resources !== 'object') return errs;
  for (const list of ['limits', 'requests'] as const) {
    const quantities = (resources as Record<string, unknown>)[list];
    if (quantities === null || typeof quantities !== 'object') continue;
    for (const [name, v] of Object.entries(quantities as Record<string, unknown>)) {
      const text = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : undefined;
      if (text !== undefined && quantityIsNegative(text)) errs.push(fieldErr.invalid(path.child(list).key(name), text, isNegativeErrorMsg));
    }
  }
  return errs;
}
