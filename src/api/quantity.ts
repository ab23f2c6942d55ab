// resource.Quantity's value as an exact fraction of bigints (num / den, den > 0), parsed from its
// text with upstream's rules (quantityError): shared by the CEL quantity library and the node
// agent's resourceFieldRef and emptyDir sizeLimit, so 0.1 + 0.2 and 500m / 1 come out exact.
import { quantityError } from './schema/go-scalars.js';

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

  /** ceil(value × scale), as Quantity.Value (scale 1) and MilliValue (scale 1000) round up. */
  scaledCeil(scale: bigint): bigint {
    const n = this.num * scale;
    const q = n / this.den;
    return n % this.den !== 0n && n > 0n ? q + 1n : q;
  }
}

