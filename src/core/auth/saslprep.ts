// SASLprep (RFC 4013) of SCRAM passwords: map, normalize with NFKC, and refuse prohibited output.

import { ValueError } from '../errors.js';

// RFC 3454 B.1: "commonly mapped to nothing".
const MAPPED_TO_NOTHING = /\u00AD|\u034F|\u1806|[\u180B-\u180D]|[\u200B-\u200D]|\u2060|[\uFE00-\uFE0F]|\uFEFF/gu;
// RFC 3454 C.1.2: non-ASCII space characters, mapped to SPACE by RFC 4013 section 2.1.
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;
// RFC 3454 C.2.1/C.2.2 controls, C.3 private use, C.4 non-characters U+FFFE/U+FFFF, C.5 lone surrogates.
function isProhibited(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c <= 0x1f || (c >= 0x7f && c <= 0x9f)) return true;
    if (c === 0x06dd || c === 0x070f || c === 0x180e || c === 0x200e || c === 0x200f) return true;
    if ((c >= 0x2028 && c <= 0x202e) || (c >= 0x2060 && c <= 0x2063) || (c >= 0x206a && c <= 0x206f)) return true;
    if ((c >= 0xe000 && c <= 0xf8ff) || (c >= 0xfff9 && c <= 0xfffc) || c === 0xfffe || c === 0xffff) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}

/**
 * SASLprep a password (RFC 4013, as RFC 5802 section 2.2 asks of SCRAM): B.1 characters are removed,
 * non-ASCII spaces become U+0020, then NFKC. Throws `ValueError` when the result contains a control,
 * private-use or non-character code point. Not checked: unassigned code points and the bidi rule
 * (RFC 4013 sections 2.5 and 2.4), which only matter for exotic scripts. ASCII passwords pass unchanged.
 */
export function saslPrep(text: string): string {
  // Fast path: printable ASCII is already in its prepared form.
  if (/^[\u0020-\u007E]*$/.test(text)) return text;
  const mapped = text.replace(MAPPED_TO_NOTHING, '').replace(NON_ASCII_SPACE, ' ').normalize('NFKC');
  if (isProhibited(mapped)) throw new ValueError('Password contains prohibited characters');
  return mapped;
}
