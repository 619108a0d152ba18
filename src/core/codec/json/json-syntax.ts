// JSON text diagnostics for the error path only: where the grammar fails, and where a value sits in valid text.

// RFC 8259: ws = *( %x20 / %x09 / %x0A / %x0D )
function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/**
 * The index just past the string escape whose backslash is at `i`, or the bitwise complement (`~`)
 * of the index of the offending character when the escape is invalid.
 */
export function escapeEnd(text: string, i: number): number {
  // RFC 8259: escape ( %x22 / %x5C / %x2F / %x62 / %x66 / %x6E / %x72 / %x74 / %x75 4HEXDIG )
  const e = text.charCodeAt(i + 1);
  if (e === 0x75) {
    for (let k = 2; k < 6; k++) if (!isHex(text.charCodeAt(i + k))) return ~(i + k);
    return i + 6;
  }
  const simple =
    e === 0x22 || e === 0x5c || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74;
  return simple ? i + 2 : ~(i + 1);
}

/** What was expected at `bad`, the offending character of an escape (see {@link escapeEnd}). */
export function escapeExpected(text: string, bad: number): string {
  return text.charCodeAt(bad - 1) === 0x5c
    ? 'an escape character: one of " \\ / b f n r t u'
    : 'four hex digits after \\u';
}

/** A grammar failure: the offset (UTF-16 index) of the offending character and what was expected there. */
export interface JsonSyntaxProblem {
  /** Index of the offending character (the text's length at a premature end). */
  readonly offset: number;
  /** What was found and what was expected. */
  readonly reason: string;
}

/** The character at `i` for error messages, as the Zinc reader words it (`"x"`, `newline`, `end of input`). */
export function describeAt(text: string, i: number): string {
  if (i >= text.length) return 'end of input';
  const c = text.charCodeAt(i);
  if (c === 0x0a || c === 0x0d) return 'newline';
  return JSON.stringify(String.fromCodePoint(text.codePointAt(i) ?? c));
}

/**
 * Scan JSON text (RFC 8259) and report the first grammar failure, or undefined when the text is valid.
 * Iterative (an explicit stack), so hostile nesting cannot overflow the call stack. Used after
 * `JSON.parse` has failed, because engines word (and sometimes omit) positions differently.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxProblem | undefined {
  const n = text.length;
  const stack: number[] = []; // 0x5b '[' or 0x7b '{'
  let i = 0;
  const fail = (at: number, expected: string): JsonSyntaxProblem => ({
    offset: at,
    reason: `expected ${expected} but found ${describeAt(text, at)}`,
  });
  const skipWs = (): void => {
    while (i < n && isWs(text.charCodeAt(i))) i++;
  };
  // Scans a string starting at the quote at i; returns a problem or undefined with i after the closing quote.
  const scanString = (): JsonSyntaxProblem | undefined => {
    i++;
    for (;;) {
      if (i >= n) return { offset: n, reason: "expected '\"' to end the string but found end of input" };
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return undefined;
      }
      if (c < 0x20) return fail(i, "an escape such as '\\n' (control characters must be escaped in strings)");
      if (c === 0x5c) {
        const end = escapeEnd(text, i);
        if (end < 0) return fail(~end, escapeExpected(text, ~end));
        i = end;
      } else i++;
    }
  };
  // RFC 8259: number = [ minus ] int [ frac ] [ exp ]
  const scanNumber = (): JsonSyntaxProblem | undefined => {
    if (text.charCodeAt(i) === 0x2d) i++;
    if (text.charCodeAt(i) === 0x30) i++;
    else if (isDigit(text.charCodeAt(i))) while (isDigit(text.charCodeAt(i))) i++;
    else return fail(i, 'a digit');
    if (text.charCodeAt(i) === 0x2e) {
      i++;
      if (!isDigit(text.charCodeAt(i))) return fail(i, 'a digit after the decimal point');
      while (isDigit(text.charCodeAt(i))) i++;
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const s = text.charCodeAt(i);
      if (s === 0x2b || s === 0x2d) i++;
      if (!isDigit(text.charCodeAt(i))) return fail(i, 'a digit in the exponent');
      while (isDigit(text.charCodeAt(i))) i++;
    }
    return undefined;
  };
  const scanWord = (word: string): JsonSyntaxProblem | undefined => {
    for (let k = 0; k < word.length; k++) {
      if (text.charCodeAt(i + k) !== word.charCodeAt(k)) return fail(i + k, `'${word}'`);
    }
    i += word.length;
    return undefined;
  };

  // state: 0 = expecting a value, 1 = after a value, 2 = expecting a member name
  let state = 0;
  for (;;) {
    skipWs();
    if (state === 0) {
      if (i >= n) return fail(i, 'a JSON value');
      const c = text.charCodeAt(i);
      let p: JsonSyntaxProblem | undefined;
      if (c === 0x7b || c === 0x5b) {
        stack.push(c);
        i++;
        skipWs();
        const close = c === 0x7b ? 0x7d : 0x5d;
        if (text.charCodeAt(i) === close) {
          stack.pop();
          i++;
          state = 1;
        } else state = c === 0x7b ? 2 : 0;
        continue;
      }
      if (c === 0x22) p = scanString();
      else if (c === 0x2d || isDigit(c)) p = scanNumber();
      else if (c === 0x74) p = scanWord('true');
      else if (c === 0x66) p = scanWord('false');
      else if (c === 0x6e) p = scanWord('null');
      else return fail(i, 'a JSON value (object, array, string, number, true, false or null)');
      if (p !== undefined) return p;
      state = 1;
    } else if (state === 2) {
      if (text.charCodeAt(i) !== 0x22) return fail(i, 'a double-quoted member name');
      const p = scanString();
      if (p !== undefined) return p;
      skipWs();
      if (text.charCodeAt(i) !== 0x3a) return fail(i, "':' after the member name");
      i++;
      state = 0;
    } else {
      const top = stack[stack.length - 1];
      if (top === undefined) return i < n ? fail(i, 'end of input after the JSON value') : undefined;
      const c = text.charCodeAt(i);
      if (c === 0x2c) {
        i++;
        state = top === 0x7b ? 2 : 0;
      } else if ((top === 0x7b && c === 0x7d) || (top === 0x5b && c === 0x5d)) {
        stack.pop();
        i++;
      } else return fail(i, top === 0x7b ? "',' or '}' after an object member" : "',' or ']' after an array element");
    }
  }
}

/** One step of a JSON path: a member name or an array index. */
export type JsonPathStep = string | number;

// Index just after the JSON value starting at i; the text is known to be valid JSON.
function skipValue(text: string, i: number): number {
  let depth = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      i++;
      if (depth === 0) return i;
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      i++;
      if (depth <= 0) return i;
      continue;
    } else if (depth === 0 && (c === 0x2c || isWs(c))) return i;
    i++;
  }
  return i;
}

function skipWsFrom(text: string, i: number): number {
  while (i < text.length && isWs(text.charCodeAt(i))) i++;
  return i;
}

/**
 * Offset of the value at `path` in valid JSON text (the last occurrence of a duplicated member, as
 * `JSON.parse` keeps the last). Stops at the deepest value found when the path leaves the text.
 */
export function locateJsonPath(text: string, path: readonly JsonPathStep[]): number {
  let at = skipWsFrom(text, 0);
  for (const step of path) {
    const open = text.charCodeAt(at);
    if (typeof step === 'number' && open === 0x5b) {
      let i = skipWsFrom(text, at + 1);
      let found = -1;
      for (let k = 0; text.charCodeAt(i) !== 0x5d && i < text.length; k++) {
        if (k === step) {
          found = i;
          break;
        }
        i = skipWsFrom(text, skipValue(text, i));
        if (text.charCodeAt(i) === 0x2c) i = skipWsFrom(text, i + 1);
      }
      if (found < 0) return at;
      at = found;
    } else if (typeof step === 'string' && open === 0x7b) {
      let i = skipWsFrom(text, at + 1);
      let found = -1;
      while (text.charCodeAt(i) === 0x22) {
        const keyEnd = skipValue(text, i);
        const key = JSON.parse(text.slice(i, keyEnd)) as string;
        i = skipWsFrom(text, keyEnd);
        i = skipWsFrom(text, i + 1); // the ':'
        if (key === step) found = i;
        i = skipWsFrom(text, skipValue(text, i));
        if (text.charCodeAt(i) === 0x2c) i = skipWsFrom(text, i + 1);
      }
      if (found < 0) return at;
      at = found;
    } else return at;
  }
  return at;
}

/** A JSON path in `$.a[0]["b c"]` notation, for error messages. */
export function formatJsonPath(path: readonly JsonPathStep[]): string {
  let s = '$';
  for (const step of path) {
    if (typeof step === 'number') s += `[${step}]`;
    else s += /^[A-Za-z_][A-Za-z0-9_]*$/.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`;
  }
  return s;
}
