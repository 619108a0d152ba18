// Errors of def libraries that cannot be compiled to a namespace, each problem typed by kind and symbol.

import { HaystackError } from '../errors.js';

/** What is wrong with a def, as the Normalization chapter's steps detect it. */
export type DefProblemKind =
  /** A tag name, symbol value, lib dependency or defx target that resolves to no def in scope (Resolve). */
  | 'undefined'
  /** An `is` chain that leads back to the def itself (Subtyping: "a strict tree structure"), or a lib's `depends`. */
  | 'cycle'
  /** A symbol declared twice, a lib declared twice, or a tag given twice by defx (Parse, Defx). */
  | 'duplicate'
  /** Supertypes that give one inherited tag different values the subtype does not settle (Inherit). */
  | 'conflict'
  /** A def that breaks a rule of the Defs, Namespaces or Normalization chapters (Taxonify, Validation). */
  | 'invalid';

/** One problem found while compiling libs. */
export interface DefProblem {
  /** The kind of problem. */
  readonly kind: DefProblemKind;
  /** The def (or defx target) concerned, e.g. `ahu` or `lib:phIoT`. */
  readonly symbol: string;
  /** Name of the lib that declares it (`phIoT`), when known. */
  readonly lib?: string;
  /** Where the def (or defx, or lib meta) concerned is declared, `lib/ahu.trio:12`, when its source says. */
  readonly at?: string;
  /** What is wrong, for people. */
  readonly message: string;
  /**
   * `warning` for what the spec resolves itself but advises against: an ambiguous inherited tag takes the first
   * supertype's value (Normalization: Inherit). Warnings fail a compile only with `strictInheritance`.
   */
  readonly severity: 'error' | 'warning';
}

/** Def libraries that do not compile: `kind` and `symbol` are those of the first problem, `problems` all of them. */
export class DefError extends HaystackError {
  static override readonly errorName: string = 'DefError';
  /** Kind of the first problem. */
  readonly kind: DefProblemKind;
  /** Symbol of the first problem. */
  readonly symbol: string;
  /** Every problem found, in pipeline order. */
  readonly problems: readonly DefProblem[];

  constructor(problems: readonly DefProblem[]) {
    const first = problems[0] ?? { kind: 'invalid' as const, symbol: '', message: 'Invalid defs', severity: 'error' };
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problems)` : '';
    super('HS_ERR_DEF', `${first.message}${more}`);
    this.kind = first.kind;
    this.symbol = first.symbol;
    this.problems = Object.freeze([...problems]);
  }
}
