// Structural errors of the typed JSON walks, turned into ParseErrors that name the JSON path and the text position.

import { ParseError } from '../../errors.js';
import { lineColumn } from '../text-position.js';
import { findJsonSyntaxError, formatJsonPath, type JsonPathStep, locateJsonPath } from './json-syntax.js';

/**
 * Raised inside a typed walk over parsed JSON: `container` is the object or array holding the bad
 * value (undefined for the root) and `key` its member name or index. The walks keep no path while
 * they run (that would tax every value); the door finds the path afterwards from `container`.
 */
export class JsonShapeError extends Error {
  constructor(
    readonly container: object | undefined,
    readonly key: JsonPathStep | undefined,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Shorthand to throw a {@link JsonShapeError}. */
export function shapeError(container: object | undefined, key: JsonPathStep | undefined, reason: string): never {
  throw new JsonShapeError(container, key, reason);
}

/**
 * Path from root to the object `target` (by identity), breadth-first with parent links so deep input cannot
 * overflow the stack; undefined when `target` is not inside `root`.
 */
export function findPath(root: unknown, target: object): JsonPathStep[] | undefined {
  interface Node {
    readonly val: unknown;
    readonly parent: Node | undefined;
    readonly step: JsonPathStep | undefined;
  }
  const queue: Node[] = [{ val: root, parent: undefined, step: undefined }];
  for (let q = 0; q < queue.length; q++) {
    const node = queue[q] as Node;
    if (node.val === target) {
      const path: JsonPathStep[] = [];
      for (let n: Node | undefined = node; n?.step !== undefined; n = n.parent) path.push(n.step);
      return path.reverse();
    }
    const v = node.val;
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) queue.push({ val: v[i], parent: node, step: i });
    } else {
      for (const k of Object.keys(v)) queue.push({ val: (v as Record<string, unknown>)[k], parent: node, step: k });
    }
  }
  return undefined;
}

/** Where a value parsed on its own sits in a larger text: for {@link shapeToParseError}. */
export interface JsonSpan {
  /** The path of the value in the whole text. */
  readonly prefix: readonly JsonPathStep[];
  /** The whole text. */
  readonly text: string;
  /** The index in `text` at which the value starts. */
  readonly offset: number;
}

/**
 * The ParseError for a shape error: the message names the JSON path (`at $.rows[3].siteRef`); line
 * and column point at that value in `text` when the text is known, else 1:1 (decoding a value that
 * was already parsed has no text). With `span`, `root` and `text` are one value parsed on its own from the
 * whole text at `span.offset`, and the path and position are given in the whole text.
 */
export function shapeToParseError(
  err: JsonShapeError,
  root: unknown,
  text: string | undefined,
  span?: JsonSpan,
): ParseError {
  const path = err.container === undefined ? [] : (findPath(root, err.container) ?? []);
  if (err.key !== undefined) path.push(err.key);
  const reason = `${err.reason} at ${formatJsonPath(span === undefined ? path : [...span.prefix, ...path])}`;
  if (text === undefined) return new ParseError('json', 1, 1, reason, { cause: err });
  const at = locateJsonPath(text, path);
  const { line, column } = span === undefined ? lineColumn(text, at) : lineColumn(span.text, span.offset + at);
  return new ParseError('json', line, column, reason, { cause: err });
}

/** The ParseError for text that `JSON.parse` rejected, positioned by our own scanner. */
export function syntaxToParseError(text: string, cause: unknown): ParseError {
  const problem = findJsonSyntaxError(text) ?? {
    offset: 0,
    reason: cause instanceof Error ? cause.message : 'invalid JSON',
  };
  const { line, column } = lineColumn(text, problem.offset);
  return new ParseError('json', line, column, problem.reason, { cause });
}
