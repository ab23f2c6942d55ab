// Kubernetes' CEL quantity library (k8s.io/apiserver/pkg/cel/library/quantity.go): quantity(),
// isQuantity() and the comparisons and arithmetic rules use on resource quantities such as
// `quantity(self.memory).isLessThan(quantity('4Gi'))`. Values are kept as exact fractions of
// bigints, so 0.1 + 0.2 compares as resource.Quantity does, without float rounding.
import type { Environment } from '@marcbachmann/cel-js';
import { quantityError } from '../../schema/go-scalars.js';
import { Quantity } from '../../quantity.js';

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
