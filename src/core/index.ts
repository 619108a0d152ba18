// Public door of `haystack-ts`: the isomorphic core (value model, codecs, filters).

export {
  type AuthChallenge,
  type AuthenticationInfo,
  type AuthMessage,
  type AuthorizationCredentials,
  formatAuthenticationInfo,
  formatAuthMessage,
  formatAuthorization,
  formatAuthParams,
  formatChallenge,
  formatWwwAuthenticate,
  MAX_AUTH_HEADER_LENGTH,
  parseAuthenticationInfo,
  parseAuthMessage,
  parseAuthMessages,
  parseAuthorization,
  parseAuthParams,
  parseWwwAuthenticate,
} from './auth/auth-header.js';
export { DEFAULT_MAX_CLIENT_ITERATIONS, ScramClient, type ScramClientOptions } from './auth/scram-client.js';
export type { ScramHash } from './auth/scram-crypto.js';
export {
  DEFAULT_SCRAM_ITERATIONS,
  DEFAULT_SCRAM_SALT_BYTES,
  type DeriveScramOptions,
  deriveScramCredentials,
  isWellFormedScramCredentials,
  MIN_SCRAM_ITERATIONS,
  type ScramCredentials,
} from './auth/scram-keys.js';
export {
  type ScramServerFirstOptions,
  type ScramServerHandshake,
  scramServerFinal,
  scramServerFirst,
  verifyScramPassword,
} from './auth/scram-server.js';
export { type CsvEncodeOptions, encodeCsv } from './codec/csv/index.js';
export {
  decodeJson,
  decodeJson3GridSteps,
  decodeJsonGridSteps,
  encodeJson,
  type JsonDecodeOptions,
  type JsonEncodeOptions,
  type JsonVersion,
} from './codec/json/index.js';
export { DEFAULT_LIMITS, type DecodeLimits } from './codec/limits.js';
export {
  CODECS,
  type Codec,
  codecByName,
  codecForAccept,
  codecForContentType,
  codecForExtension,
  type FormatName,
  type GridPieces,
  type MediaType,
  parseMediaType,
  valToGrid,
} from './codec/media-types.js';
export { type DecodeSteps, drainSteps } from './codec/steps.js';
export {
  decodeTrio,
  decodeTrioDicts,
  decodeTrioSteps,
  encodeTrio,
  encodeTrioDict,
  type TrioOrigin,
  TrioReader,
} from './codec/trio/index.js';
export {
  decodeZinc,
  decodeZincGrid,
  decodeZincStream,
  decodeZincValue,
  encodeZinc,
  encodeZincBytes,
  encodeZincChunks,
  encodeZincGrid,
  encodeZincHeader,
  encodeZincRow,
  encodeZincRows,
  encodeZincStream,
  encodeZincValue,
  HisRows,
  type HisRowsParts,
  type HisValKind,
  readZincStream,
  type ZincChunk,
  type ZincEncodeStreamOptions,
  ZincReader,
  type ZincReaderOptions,
  ZincRowWriter,
  type ZincStreamEvent,
  type ZincStreamHeader,
  type ZincStreamOptions,
  ZincStreamReader,
  type ZincStreamRow,
} from './codec/zinc/index.js';
export {
  AuthError,
  CallError,
  ERROR_CODES,
  type ErrorCode,
  type ErrorGridLike,
  HaystackError,
  type HaystackErrorOptions,
  LimitError,
  OptionError,
  type OptionErrorCode,
  ParseError,
  PermissionError,
  StorageError,
  UnknownRecError,
  ValueError,
} from './errors.js';
export {
  type AndNode,
  CMP_OPS,
  type CmpNode,
  type CmpOp,
  compileFilter,
  DEFAULT_FILTER_LIMITS,
  Filter,
  FilterCache,
  type FilterCacheOptions,
  type FilterEquality,
  type FilterLimits,
  type FilterLiteral,
  type FilterNode,
  type FilterPath,
  type FilterPlan,
  type FilterPredicate,
  filterAnd,
  filterCmp,
  filterEquals,
  filterHas,
  filterIsSymbol,
  filterLiteral,
  filterMissing,
  filterOr,
  filterPath,
  formatFilter,
  formatLiteral,
  type HasNode,
  type IsSymbolNode,
  isPathName,
  type MissingNode,
  type OrNode,
  parseFilter,
  parseFilterAst,
  planFilter,
  RESERVED_NAMES,
  type RefResolver,
  refResolver,
  sharedFilterCache,
} from './filter/index.js';
export { Dict, type DictInit, DictShape, dict, list, type TagVal, toVal } from './grid/dict.js';
export { Grid, GridBuilder, type GridCol, type RowSource } from './grid/grid.js';
export {
  type DecodeOptions,
  type PlainCoord,
  type PlainDecodeOptions,
  type PlainNumber,
  type PlainObject,
  type PlainOption,
  type PlainOptions,
  type PlainValue,
  toPlain,
  type ValDecodeOptions,
} from './grid/plain.js';
export { isTagName } from './grid/tag-name.js';
export { Coord, coord } from './kinds/coord.js';
export { date, HDate } from './kinds/date.js';
export { type Disambiguation, dateTime, HDateTime } from './kinds/date-time.js';
export { compare, equals, hash } from './kinds/equality.js';
export { isList, KINDS, type Kind, kindOf, type List, type Val, type ValueObject } from './kinds/kind.js';
export { MARKER, Marker, NA, NAValue, REMOVE, Remove } from './kinds/marker.js';
export { isValidUnit, Num, num } from './kinds/number.js';
export { isRefId, Ref, ref } from './kinds/ref.js';
export { Sym, sym } from './kinds/symbol.js';
export { HTime, time } from './kinds/time.js';
export { Uri, uri } from './kinds/uri.js';
export { isXStrType, XStr, xstr } from './kinds/xstr.js';
export {
  type CustomMetric,
  emitMetric,
  type MetricsAuth,
  type MetricsConnection,
  type MetricsHookName,
  type MetricsHooks,
  type MetricsMessage,
  type MetricsRequest,
  type MetricsRequestDone,
  type MetricsRequestFailed,
  type MetricsSession,
  type MetricsStoreQuery,
  type MetricsWatch,
} from './metrics-hooks.js';
export { TimeZone } from './tz/time-zone.js';
export { WS_CLOSE, type WsCloseReason, wsCloseReason } from './ws/ws-close-codes.js';
export {
  decodeWsMessage,
  encodeWsAuth,
  encodeWsBatch,
  encodeWsControl,
  encodeWsPush,
  encodeWsRequest,
  encodeWsResponse,
  isWsBadItem,
  isWsRequest,
  WS_SUBPROTOCOL,
  type WsBadItem,
  type WsControlType,
  type WsId,
  type WsMessage,
  type WsRequest,
  type WsResponse,
  wsResponseParts,
} from './ws/ws-envelope.js';
