// Public door of `haystack-ts/ontology`: def namespaces, taxonomy, normalization and reflection (isomorphic).

export { Def, type DefKind, parseSymbol, type SymbolParts } from './def.js';
export { DefError, type DefProblem, type DefProblemKind } from './def-error.js';
export {
  type ChoiceInfo,
  type EntityResolver,
  Namespace,
  type NamespaceOptions,
  type ReflectedCore,
  type RelationshipQuery,
  type RelationshipRef,
} from './namespace.js';
export { type Compiled, type CompileOptions, compileLibs, type LibInfo, type LibSource } from './normalize.js';
export {
  type ChoiceMade,
  type IssueKind,
  Reflection,
  type TagMeaning,
  type ValidationIssue,
} from './reflection.js';
