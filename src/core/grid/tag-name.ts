// Tag-name validation: Haystack identifiers.

/** True if `s` is a valid tag name: `<alphaLo> (<alphaLo> | <alphaHi> | <digit> | '_')*`. */
export function isTagName(s: string): boolean {
  if (typeof s !== 'string' || s.length === 0) return false;
  const c0 = s.charCodeAt(0);
  if (c0 < 97 || c0 > 122) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  return true;
}
