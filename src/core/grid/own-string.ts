// A string that owns its chars: what data kept for long (a store's entities, the shared Dict shapes) must hold.

// V8 copies substrings shorter than this; longer ones are views into their parent (SlicedString::kMinLength), so
// one tag name or `dis` kept from a 47 MB decoded file kept the whole text alive.
const MIN_VIEW_LENGTH = 13;

/** `s` as a string of its own (itself when V8 never makes it a view into a larger one). */
export function ownString(s: string): string {
  // JSON.stringify then JSON.parse make a fresh flat string, one-byte for Latin-1 text even when the parent was
  // UTF-16 (a file with one `²` decodes to UTF-16 throughout): the cheapest copy without Node's Buffer.
  return s.length < MIN_VIEW_LENGTH ? s : (JSON.parse(JSON.stringify(s)) as string);
}

/** True if `s` is short enough that V8 always copies it rather than keep a view. */
export function isAlwaysOwned(s: string): boolean {
  return s.length < MIN_VIEW_LENGTH;
}
