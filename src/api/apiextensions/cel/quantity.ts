// Kubernetes' CEL quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go): quantity(),
// isQuantity() and the comparisons and arithmetic rules use on resource quantities such as
// `quantity(self.memory).isLessThan(quantity('4Gi'))`. Values are kept as exact fractions of
// bigints, so 0.1 + 0.2 compares as resource.Quantity does, without float rounding.
import type { Environment } from '@marcbachmann/cel-js';
import { quantityError } from '../../schema/go-scalars.js';

const decimal: Record<string, number> = { '': 0, n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binary: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

export class Quantity {
  /** value = num / den, den > 0 */
  constructor(
    readonly num: bigint,
    readonly den: bigint,
  ) {}

  static parse(s: string): Quantity {
    const err = quantityError(s);
    if (err !== undefined) throw new Error(err);
    const m = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/.exec(s)!;
    const frac = m[3] ?? '';
    let num = BigInt(`${m[2] || '0'}${frac}`) * (m[1] === '-' ? -1n : 1n);
    let den = 10n ** BigInt(frac.length);
    const suffix = m[4] ?? '';
    if (suffix in binary) num *= 2n ** BigInt(binary[suffix]!);
    else {
      const exp = suffix in decimal ? decimal[suffix]! : Number(suffix.slice(1));
      if (exp >= 0) num *= 10n ** BigInt(exp);
      else den *= 10n ** BigInt(-exp);
    }
    return new Quantity(num, den);
  }

  compare(o: Quantity): number {
    const a = this.num * o.den;
    const b = o.num * this.den;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  add(o: Quantity): Quantity {
    return new Quantity(this.num * o.den + o.num * this.den, this.den * o.den);
  }

  isInteger(): boolean {
    return this.num % this.den === 0n;
  }
}

const maxInt64 = 9223372036854775807n;

function asQuantity(v: Quantity | bigint): Quantity {
  return v instanceof Quantity ? v : new Quantity(v, 1n);
}

export function registerQuantityLibrary(env: Environment): void {
  env.registerType('Quantity', Quantity);
  env.registerFunction('quantity(string): Quantity', (s: string) => Quantity.parse(s));
  env.registerFunction('isQuantity(string): bool', (s: string) => quantityError(s) === undefined);
  env.registerFunction('Quantity.sign(): int', (q: Quantity) => BigInt(q.compare(new Quantity(0n, 1n))));
  env.registerFunction('Quantity.isInteger(): bool', (q: Quantity) => q.isInteger() && q.num / q.den <= maxInt64 && q.num / q.den >= -maxInt64 - 1n);
  env.registerFunction('Quantity.asInteger(): int', (q: Quantity) => {
    const v = q.num / q.den;
    if (!q.isInteger() || v > maxInt64 || v < -maxInt64 - 1n) throw new Error('cannot convert value to integer');
    return v;
  });
  env.registerFunction('Quantity.asApproximateFloat(): double', (q: Quantity) => Number(q.num) / Number(q.den));
  env.registerFunction('Quantity.compareTo(Quantity): int', (a: Quantity, b: Quantity) => BigInt(a.compare(b)));
  env.registerFunction('Quantity.isGreaterThan(Quantity): bool', (a: Quantity, b: Quantity) => a.compare(b) > 0);
  env.registerFunction('Quantity.isLessThan(Quantity): bool', (a: Quantity, b: Quantity) => a.compare(b) < 0);
  env.registerFunction('Quantity.add(Quantity): Quantity', (a: Quantity, b: Quantity) => a.add(b));
  env.registerFunction('Quantity.add(int): Quantity', (a: Quantity, b: bigint) => a.add(asQuantity(b)));
  env.registerFunction('Quantity.sub(Quantity): Quantity', (a: Quantity, b: Quantity) => a.add(new Quantity(-b.num, b.den)));
  env.registerFunction('Quantity.sub(int): Quantity', (a: Quantity, b: bigint) => a.add(new Quantity(-b, 1n)));
  env.registerOperator('Quantity == Quantity', (a: Quantity, b: Quantity) => a.compare(b) === 0);
}
