/**
 * Kubernetes resource quantities (`1Gi`, `500m`, `1.5e3`) for the CEL Quantity library: parsed into an exact count
 * of nano-units (Kubernetes keeps at least nano precision and rounds up below it), which is enough for comparison,
 * arithmetic and the conversions the library offers.
 */
const NANO = 1_000_000_000n;
const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

const BINARY: Readonly<Record<string, bigint>> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const DECIMAL: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const QUANTITY = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

export class Quantity {
  constructor(
    /** The value in nano-units. */
    readonly nanos: bigint,
    readonly text: string,
  ) {}

  compareTo(other: Quantity): bigint {
    return this.nanos === other.nanos ? 0n : this.nanos < other.nanos ? -1n : 1n;
  }
}

export function parseQuantity(text: string): Quantity {
  const m = QUANTITY.exec(text);
  if (m === null)
    throw new Error(`quantities must match the regular expression '${QUANTITY.source}'`);
  const [, sign = '', number = '', suffix = ''] = m;
  const [whole = '', fraction = ''] = number.split('.');
  let digits = BigInt(`${whole || '0'}${fraction}`);
  let exp10 = -fraction.length;
  let factor = 1n;
  if (suffix in BINARY) factor = BINARY[suffix] ?? 1n;
  else if (/^[eE]/.test(suffix)) exp10 += Number(suffix.slice(1));
  else exp10 += DECIMAL[suffix] ?? 0;
  digits *= factor;
  // nanos = digits * 10^(exp10 + 9), rounded up (away from zero) below a nano-unit, as Kubernetes does.
  const shift = exp10 + 9;
  let nanos: bigint;
  if (shift >= 0) nanos = digits * 10n ** BigInt(Math.min(shift, 400));
  else {
    const div = 10n ** BigInt(-shift);
    nanos = digits / div + (digits % div === 0n ? 0n : 1n);
  }
  return new Quantity(sign === '-' ? -nanos : nanos, text);
}

export function isQuantity(text: string): boolean {
  return QUANTITY.test(text);
}

export function asInteger(q: Quantity): bigint {
  if (q.nanos % NANO !== 0n)
    throw new Error('cannot convert value to integer without losing precision');
  const v = q.nanos / NANO;
  if (v > INT64_MAX || v < INT64_MIN)
    throw new Error('cannot convert value to integer: out of range');
  return v;
}

export function add(q: Quantity, other: Quantity | bigint): Quantity {
  const n = typeof other === 'bigint' ? other * NANO : other.nanos;
  return new Quantity(q.nanos + n, '');
}

export function sub(q: Quantity, other: Quantity | bigint): Quantity {
  const n = typeof other === 'bigint' ? other * NANO : other.nanos;
  return new Quantity(q.nanos - n, '');
}

export function asApproximateFloat(q: Quantity): number {
  return Number(q.nanos) / 1e9;
}

export function sign(q: Quantity): bigint {
  return q.nanos === 0n ? 0n : q.nanos < 0n ? -1n : 1n;
}

export function isInteger(q: Quantity): boolean {
  return q.nanos % NANO === 0n;
}
