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
  // Newlines found by indexOf (native, measured several times faster than a char loop on long texts).
  for (let i = text.indexOf('\n'); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  for (let i = text.indexOf('\r'); i >= 0 && i < end; i = text.indexOf('\r', i + 1)) {
    if (text.charCodeAt(i + 1) !== 10) {
      line++;
      lineStart = Math.max(lineStart, i + 1);
    }
  }
  return { line, column: end - lineStart + 1 };
}
