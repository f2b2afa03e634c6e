// Go's float64 text forms that reach KFP values: `strconv.FormatFloat(v, 'f', -1, 64)` (what
// `metadata.PbValueToText` writes for a number converted to a STRING input,
// `backend/src/v2/metadata/converter.go`) and `fmt.Sprintf("%g", v)` (CEL's `string(double)` in
// cel-go `common/types/double.go`). Both use the shortest digits that round-trip, which is also what
// JavaScript's `toExponential()` without an argument produces.
import { NotEmulatedError } from './errors.js';

function shortestDigits(v: number): { negative: boolean; digits: string; exp: number } {
  const negative = v < 0 || Object.is(v, -0);
  const [mantissa, e] = Math.abs(v).toExponential().split('e') as [string, string];
  const digits = mantissa.replace('.', '');
  return { negative, digits, exp: Number(e) };
}

function nonFinite(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return undefined;
}

/** `strconv.FormatFloat(v, 'f', -1, 64)`: no exponent, shortest round-tripping digits. */
export function goFormatFloatF(v: number): string {
  const special = nonFinite(v);
  if (special) return special;
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const { negative, digits, exp } = shortestDigits(v);
  const dp = exp + 1; // position of the decimal point relative to the digits
  let text: string;
  if (dp <= 0) text = `0.${'0'.repeat(-dp)}${digits}`;
  else if (dp >= digits.length) text = digits + '0'.repeat(dp - digits.length);
  else text = `${digits.slice(0, dp)}.${digits.slice(dp)}`;
  return (negative ? '-' : '') + text;
}

/** `fmt.Sprintf("%g", v)`: `%e` form when the exponent is < -4 or >= 6 (the shortest-precision rule). */
export function goFormatG(v: number): string {
  const special = nonFinite(v);
  if (special) return special;
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const { negative, digits, exp } = shortestDigits(v);
  const sign = negative ? '-' : '';
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp);
    return `${sign}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  return goFormatFloatF(v);
}

/** Go `strconv.ParseInt(s, 10, 64)`. Returns undefined where Go returns an error. */
export function goParseInt64(text: string): bigint | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const v = BigInt(text);
  if (v > 9223372036854775807n || v < -9223372036854775808n) return undefined;
  return v;
}

/**
 * Go `strconv.ParseFloat(s, 64)` for decimal text and inf/nan. Hexadecimal floats are valid Go but
 * are refused rather than reimplemented.
 */
export function goParseFloat64(text: string): number | undefined {
  if (/^[+-]?0[xX]/.test(text)) throw new NotEmulatedError(`parsing the hexadecimal float "${text}"`);
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(text);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(text)) return undefined;
  const v = Number(text);
  // Go reports ErrRange for finite text that overflows float64.
  return Number.isFinite(v) ? v : undefined;
}
