// Filter parser: filter text to an immutable AST, by the Filters chapter grammar, with input limits.

import { checkPositiveLimits } from '../codec/limits.js';
import { LimitError } from '../errors.js';
import {
  CMP_OPS,
  type CmpOp,
  type FilterNode,
  type FilterPath,
  filterCmp,
  filterHas,
  filterIsSymbol,
  filterLogic,
  filterMissing,
  isPathName,
  RESERVED_NAMES,
} from './ast.js';
import { FilterLexer, filterError, type Token } from './lexer.js';

/** Limits on filter input; defaults in {@link DEFAULT_FILTER_LIMITS}. */
export interface FilterLimits {
  /** Longest filter text accepted, in UTF-16 code units. Default 65,536. */
  readonly maxLength?: number;
  /** Deepest parenthesis nesting, and longest `->` path (in names). Default 64. */
  readonly maxDepth?: number;
}

/** Default limits: 65,536 characters, depth 64. */
export const DEFAULT_FILTER_LIMITS: Required<FilterLimits> = Object.freeze({ maxLength: 65_536, maxDepth: 64 });

/** Throw an `OptionError` for an unknown filter limit or one that is not a positive integer. */
export function checkFilterLimits(limits: FilterLimits): void {
  checkPositiveLimits(limits, DEFAULT_FILTER_LIMITS, 'Filter');
}

/**
 * Parse filter text to its AST. Throws `ParseError` (format `filter`, with line and column) for text outside the
 * grammar, and `LimitError` (`HS_ERR_LIMIT`) for text longer or deeper than `limits` allow.
 */
export function parseFilterAst(text: string, limits?: FilterLimits): FilterNode {
  if (limits !== undefined) checkFilterLimits(limits);
  const maxLength = limits?.maxLength ?? DEFAULT_FILTER_LIMITS.maxLength;
  const maxDepth = limits?.maxDepth ?? DEFAULT_FILTER_LIMITS.maxDepth;
  if (text.length > maxLength) {
    throw new LimitError('maxLength', `Filter is ${text.length} characters long; the limit is ${maxLength}`);
  }
  return new Parser(text, maxDepth).parse();
}

class Parser {
  readonly #text: string;
  readonly #lexer: FilterLexer;
  readonly #maxDepth: number;
  #cur: Token;
  // Read only on demand, so an error at the current token wins over a lexical error after it.
  #next: Token | undefined;
  #depth = 0;

  constructor(text: string, maxDepth: number) {
    this.#text = text;
    this.#lexer = new FilterLexer(text);
    this.#maxDepth = maxDepth;
    this.#cur = this.#lexer.next();
  }

  get #peek(): Token {
    this.#next ??= this.#lexer.next();
    return this.#next;
  }

  #advance(): void {
    this.#cur = this.#next ?? this.#lexer.next();
    this.#next = undefined;
  }

  parse(): FilterNode {
    // Filters: <filter> := <condOr>
    const f = this.#condOr();
    const t = this.#cur;
    if (t.kind !== 'eof') {
      throw this.#error(t, `Expecting 'and', 'or' or end of filter, not ${describe(t)}`);
    }
    return f;
  }

  #isKeyword(word: string): boolean {
    const t = this.#cur;
    return t.kind === 'id' && t.text === word;
  }

  // Filters: <condOr> := <condAnd> ("or" <condAnd>)*
  #condOr(): FilterNode {
    const args = [this.#condAnd()];
    while (this.#isKeyword('or')) {
      this.#advance();
      args.push(this.#condAnd());
    }
    return args.length === 1 ? (args[0] as FilterNode) : filterLogic('or', args);
  }

  // Filters: <condAnd> := <term> ("and" <term>)*
  #condAnd(): FilterNode {
    const args = [this.#term()];
    while (this.#isKeyword('and')) {
      this.#advance();
      args.push(this.#term());
    }
    return args.length === 1 ? (args[0] as FilterNode) : filterLogic('and', args);
  }

  // Filters: <term> := <parens> | <has> | <missing> | <cmp>; plus Haxall's ^symbol term.
  #term(): FilterNode {
    const t = this.#cur;
    if (t.kind === 'lparen') {
      if (++this.#depth > this.#maxDepth) {
        throw new LimitError('maxDepth', `Filter nests deeper than ${this.#maxDepth} parentheses`);
      }
      this.#advance();
      const f = this.#condOr();
      const close = this.#cur;
      if (close.kind !== 'rparen') throw this.#error(close, `Expecting ')', not ${describe(close)}`);
      this.#advance();
      this.#depth--;
      return f;
    }
    if (t.kind === 'id' && t.text === 'not') {
      // Filters: <missing> := "not" <path>
      if (this.#peek.kind !== 'id')
        throw this.#error(this.#peek, `Expecting a tag name after 'not', not ${describe(this.#peek)}`);
      this.#advance();
      return filterMissing(this.#path());
    }
    if (t.kind === 'symbol') {
      this.#advance();
      return filterIsSymbol(t.text.slice(1));
    }
    const path = this.#path();
    const op = this.#cur;
    if (!CMP_OPS.includes(op.kind as CmpOp)) return filterHas(path);
    // Filters: <cmp> := <path> <cmpOp> <val>
    this.#advance();
    const v = this.#cur;
    if (v.kind === 'literal' && v.val !== undefined) {
      this.#advance();
      return filterCmp(op.kind as CmpOp, path, v.val);
    }
    if (v.kind === 'id' && (v.text === 'true' || v.text === 'false')) {
      // Filters: <bool> := "true" | "false"
      this.#advance();
      return filterCmp(op.kind as CmpOp, path, v.text === 'true');
    }
    if (v.kind === 'symbol' && v.val !== undefined) {
      this.#advance();
      return filterCmp(op.kind as CmpOp, path, v.val);
    }
    throw this.#error(v, `Expecting a value after '${op.kind}', not ${describe(v)}`);
  }

  // Filters: <path> := <name> ("->" <name>)*
  #path(): FilterPath {
    const names = [this.#name()];
    while (this.#cur.kind === 'arrow') {
      this.#advance();
      names.push(this.#name());
      if (names.length > this.#maxDepth) {
        throw new LimitError('maxDepth', `Filter path is longer than ${this.#maxDepth} names`);
      }
    }
    return Object.freeze(names);
  }

  // Filters: <name> := Zinc <id> := <alphaLo> (<alphaLo> | <alphaHi> | <digit> | "_")*
  #name(): string {
    const t = this.#cur;
    if (t.kind !== 'id') throw this.#error(t, `Expecting a tag name, not ${describe(t)}`);
    if (!isPathName(t.text)) {
      const why = RESERVED_NAMES.has(t.text) ? 'is a reserved word' : 'is not a tag name (it must start with a-z)';
      throw this.#error(t, `${JSON.stringify(t.text)} ${why}`);
    }
    this.#advance();
    return t.text;
  }

  #error(t: Token, reason: string): Error {
    return filterError(this.#text, t.start, reason);
  }
}

function describe(t: Token): string {
  switch (t.kind) {
    case 'eof':
      return 'end of filter';
    case 'id':
      return `identifier ${t.text}`;
    case 'literal':
    case 'symbol':
      return `value ${t.text}`;
    default:
      return `'${t.text}'`;
  }
}
