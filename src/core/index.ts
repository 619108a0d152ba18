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
  isAuthToken,
  MAX_AUTH_HEADER_LENGTH,
  parseAuthenticationInfo,
  parseAuthMessage,
  parseAuthMessages,
  parseAuthorization,
  parseAuthParams,
  parseWwwAuthenticate,
} from './auth/auth-header.js';
export {
  decodeBase64,
  decodeBase64Liberal,
  decodeBase64LiberalText,
  decodeBase64Url,
  decodeBase64UrlText,
  encodeBase64,
  encodeBase64Url,
  encodeBase64UrlText,
  utf8Decode,
  utf8Encode,
} from './auth/base64.js';
export { timingSafeEqual } from './auth/constant-time.js';
export { saslPrep } from './auth/saslprep.js';
export { DEFAULT_MAX_CLIENT_ITERATIONS, ScramClient, type ScramClientOptions } from './auth/scram-client.js';
export { randomBytes, SCRAM_HASH_BYTES, type ScramHash, toScramHash } from './auth/scram-crypto.js';
export {
  DEFAULT_SCRAM_ITERATIONS,
  DEFAULT_SCRAM_SALT_BYTES,
  type DeriveScramOptions,
  deriveScramCredentials,
  isWellFormedScramCredentials,
  MIN_SCRAM_ITERATIONS,
  type ScramCredentials,
} from './auth/scram-keys.js';
export { escapeSaslName, GS2_HEADER, unescapeSaslName } from './auth/scram-messages.js';
export {
  type ScramServerFirstOptions,
  type ScramServerHandshake,
  scramServerFinal,
  scramServerFirst,
  verifyScramPassword,
} from './auth/scram-server.js';
export * from './codec/index.js';
export * from './errors.js';
export * from './filter/index.js';
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
export { type Disambiguation, dateTime, HDateTime, offsetString } from './kinds/date-time.js';
export { compare, equals, hash } from './kinds/equality.js';
export { isList, KINDS, type Kind, kindOf, type List, type Val, type ValueObject } from './kinds/kind.js';
export { MARKER, Marker, NA, NAValue, REMOVE, Remove } from './kinds/marker.js';
export { compareFloat, isValidUnit, Num, num } from './kinds/number.js';
export { isRefChar, isRefId, Ref, ref } from './kinds/ref.js';
export { Sym, sym } from './kinds/symbol.js';
export { HTime, time } from './kinds/time.js';
export { Uri, uri } from './kinds/uri.js';
export { isXStrType, XStr, xstr } from './kinds/xstr.js';
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
