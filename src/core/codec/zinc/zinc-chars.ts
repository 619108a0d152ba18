// Character classes of the Zinc grammar, as predicates on UTF-16 char codes (no regex on hot paths).

/** True for `0`-`9`. */
export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** True for `a`-`z`. */
export function isAlphaLo(c: number): boolean {
  return c >= 97 && c <= 122;
}

/** True for `A`-`Z`. */
export function isAlphaHi(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** True for a char that may follow the first char of an identifier: alpha, digit or `_`. */
export function isIdPart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

/** Zinc: <unitChar> := <alpha> | "%" | "_" | "/" | "$" | any char > 128 */
export function isUnitChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 37 || c === 95 || c === 47 || c === 36 || c > 128;
}

/** A char of a time-zone name after the space: alpha, digit, `_`, `-`, `+` (`GMT+3`, `Port-au-Prince`). */
export function isTzChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 43;
}

/** Value of a hex digit, or -1. */
export function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** Zinc: a char a URI may escape and keep escaped (Zinc#uriNotes): `: / ? # [ ] @ \ & = ;` */
export function isUriReserved(c: number): boolean {
  return (
    c === 58 ||
    c === 47 ||
    c === 63 ||
    c === 35 ||
    c === 91 ||
    c === 93 ||
    c === 64 ||
    c === 92 ||
    c === 38 ||
    c === 61 ||
    c === 59
  );
}
