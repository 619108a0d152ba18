// Line and column of an offset in a text: the one helper every reader's ParseError positions come from.

/**
 * 1-based line and column of the UTF-16 `offset` in `text` (clamped to its length). A line ends at `\n`, `\r\n`
 * or a lone `\r`, the newlines Zinc, Trio and filters accept. Called only to report an error, so hot paths track
 * nothing but their index.
 */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const end = Math.min(offset, text.length);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
