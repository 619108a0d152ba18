// The WebSocket envelope (haystack-py's, which Haystack 4 lacks): requests, answers, batches, pushes, auth steps.

// The Hayson reader and writer themselves, not the JSON door (codec/json/index.ts): the door brings JSON v3 too,
// which no envelope holds, into every browser bundle with a WebSocket (the web UI's live values).
import {
  batchTooLong,
  jsonTextBody,
  readHaysonMessageSteps,
  readHaysonText,
} from '../codec/json/hayson-text-reader.js';
import { writeHayson } from '../codec/json/hayson-writer.js';
import { type DecodeLimits, resolveLimits } from '../codec/limits.js';
import type { DecodeSteps } from '../codec/steps.js';
import { HaystackError } from '../errors.js';
import { Dict } from '../grid/dict.js';
import { Grid } from '../grid/grid.js';
import type { Val } from '../kinds/kind.js';
import { Num } from '../kinds/number.js';

/** The subprotocol both ends name in the upgrade (`Sec-WebSocket-Protocol: haystack`). */
export const WS_SUBPROTOCOL = 'haystack';

/** A request id as the client chose it: echoed unchanged in the answer. */
export type WsId = string | number;

/** One op request: `{"id": …, "op": "read", "grid": <Hayson grid>, "ch": "…"}` (`ch` only on pooled channels). */
export interface WsRequest {
  /** Request id; undefined when the client sent none (the answer then has none either). */
  readonly id: WsId | undefined;
  /** Op name. */
  readonly op: string;
  /** Request grid (an absent grid is the empty grid). */
  readonly grid: Grid;
  /** Channel of a `WebSocketPool`, echoed in the answer. */
  readonly ch: string | undefined;
}

/** One answer: `{"id": …, "grid": <Hayson grid>}`; an error is an error grid. */
export interface WsResponse {
  /** Id of the request answered. */
  readonly id: WsId | undefined;
  /** Response or error grid. */
  readonly grid: Grid;
  /** Channel of the request. */
  readonly ch: string | undefined;
}

/** A batch member that could not be read as a request: it is answered with an error grid, in its place. */
export interface WsBadItem {
  /** Its id, when it had a usable one. */
  readonly id: WsId | undefined;
  /** Why it is not a request. */
  readonly error: HaystackError;
  /** Its channel, when it had one. */
  readonly ch: string | undefined;
}

/**
 * Any message of the protocol, as {@link decodeWsMessage} reads it. Client to server: `request`, `batch`,
 * `auth` (`{"authToken": …}` first), `hello` and `scram` (a SCRAM exchange over the socket), `ping`. Server to
 * client: `response`, `batch` of responses, `push` (`{"type": "watch", "watchId": …, "grid": …}`), `hello`,
 * `scram`, `authOk`, `authErr`, `pong`.
 */
export type WsMessage =
  | { readonly kind: 'request'; readonly request: WsRequest }
  | { readonly kind: 'response'; readonly response: WsResponse }
  | { readonly kind: 'batch'; readonly items: readonly (WsRequest | WsResponse | WsBadItem)[] }
  | { readonly kind: 'bad'; readonly item: WsBadItem }
  | { readonly kind: 'push'; readonly watchId: string; readonly grid: Grid; readonly ch: string | undefined }
  | { readonly kind: 'auth'; readonly authToken: string }
  | { readonly kind: 'hello'; readonly fields: Readonly<Record<string, string>> }
  | { readonly kind: 'scram'; readonly fields: Readonly<Record<string, string>> }
  | { readonly kind: 'authOk'; readonly fields: Readonly<Record<string, string>> }
  | { readonly kind: 'authErr'; readonly fields: Readonly<Record<string, string>> }
  | { readonly kind: 'ping' }
  | { readonly kind: 'pong' };

/** The auth and keep-alive steps that carry only string fields (`{"type": "hello", "username": …}`, …). */
export type WsControlType = 'hello' | 'scram' | 'authOk' | 'authErr' | 'ping' | 'pong';

const CONTROL_TYPES: ReadonlySet<string> = new Set(['hello', 'scram', 'authOk', 'authErr', 'ping', 'pong']);

function badMessage(message: string): HaystackError {
  return new HaystackError('HS_ERR_BAD_REQUEST', message);
}

function idOf(d: Dict): WsId | undefined {
  const v = d.get('id');
  if (typeof v === 'string') return v;
  // Hayson reads a JSON number as a Number without unit: its value is the id the client sent.
  if (v instanceof Num && v.unit === undefined && Number.isFinite(v.val)) return v.val;
  return undefined;
}

function chOf(d: Dict): string | undefined {
  const v = d.get('ch');
  return typeof v === 'string' ? v : undefined;
}

function gridOf(d: Dict): Grid {
  const v = d.get('grid');
  if (v === null) return Grid.EMPTY;
  if (!(v instanceof Grid)) throw badMessage('The envelope grid is not a Hayson grid');
  return v;
}

function stringFields(d: Dict): Record<string, string> {
  const out: Record<string, string> = {};
  d.forEach((v, k) => {
    if (typeof v === 'string') out[k] = v;
  });
  return out;
}

function item(v: Val): WsRequest | WsResponse | WsBadItem {
  if (!(v instanceof Dict))
    return { id: undefined, error: badMessage('A batch member is not an object'), ch: undefined };
  const id = idOf(v);
  const ch = chOf(v);
  try {
    const op = v.get('op');
    if (op === null) return { id, grid: gridOf(v), ch };
    if (typeof op !== 'string') throw badMessage('The envelope op is not a string');
    return { id, op, grid: gridOf(v), ch };
  } catch (err) {
    if (err instanceof HaystackError) return { id, error: err, ch };
    throw err;
  }
}

/** True for a batch member that is a request. */
export function isWsRequest(x: WsRequest | WsResponse | WsBadItem): x is WsRequest {
  return 'op' in x;
}

/** True for a batch member that could not be read. */
export function isWsBadItem(x: WsRequest | WsResponse | WsBadItem): x is WsBadItem {
  return 'error' in x;
}

/**
 * Read one text message. The whole message goes through the Hayson text reader in one pass, so `limits`
 * (length, depth, rows, ...) hold for the envelope and its grids, and bad JSON is a `ParseError` with its line
 * and column. A message that is JSON but no envelope is an `HS_ERR_BAD_REQUEST`; a bad member of a batch is
 * not: it becomes a {@link WsBadItem}, answered in its place, and so does a lone object with a bad op or grid
 * (`bad`), whose id may still be read so that its error can be answered to it. A batch of more than `maxBatch`
 * members is a LimitError (`maxBatch`) before any member is looked at.
 */
export function decodeWsMessage(
  text: string,
  limits?: Partial<DecodeLimits>,
  maxBatch = Number.POSITIVE_INFINITY,
): WsMessage {
  const resolved = resolveLimits(limits);
  return messageOf(readHaysonText(jsonTextBody(text, resolved), resolved), maxBatch);
}

/**
 * Read one text message as {@link decodeWsMessage} does, pausing after every `sliceChars` (a receiver yields to other
 * work there): the rows of each envelope's grid a slice at a time, every other member and row in one step, refused
 * (`HS_ERR_LIMIT`) when longer than `maxRowChars`.
 */
export function* decodeWsMessageSteps(
  text: string,
  limits: Partial<DecodeLimits>,
  sliceChars: number,
  maxRowChars: number,
  maxBatch = Number.POSITIVE_INFINITY,
): DecodeSteps<WsMessage> {
  const resolved = resolveLimits(limits);
  const body = jsonTextBody(text, resolved);
  return messageOf(yield* readHaysonMessageSteps(body, resolved, sliceChars, maxRowChars, maxBatch), maxBatch);
}

// The message a decoded JSON value is.
function messageOf(v: Val, maxBatch: number): WsMessage {
  if (Array.isArray(v) && v.length > maxBatch) batchTooLong(maxBatch);
  if (Array.isArray(v)) return { kind: 'batch', items: v.map(item) };
  if (!(v instanceof Dict)) throw badMessage('A message must be a JSON object or array');
  const type = v.get('type');
  if (type === 'watch') {
    const watchId = v.get('watchId');
    if (typeof watchId !== 'string') throw badMessage('A watch push needs a watchId');
    return { kind: 'push', watchId, grid: gridOf(v), ch: chOf(v) };
  }
  if (typeof type === 'string' && CONTROL_TYPES.has(type)) {
    if (type === 'ping' || type === 'pong') return { kind: type };
    return { kind: type as 'hello' | 'scram' | 'authOk' | 'authErr', fields: stringFields(v) };
  }
  // haystack-py's WebSocketPool logs in with `{"type": "auth", "token": …}` where its WebSocketClient sends
  // `{"authToken": …}`: the same login.
  const poolToken = type === 'auth' ? v.get('token') : null;
  if (typeof poolToken === 'string') return { kind: 'auth', authToken: poolToken };
  if (type !== null) throw badMessage(`Unknown message type ${JSON.stringify(String(type))}`);
  const op = v.get('op');
  const authToken = v.get('authToken');
  if (op === null && typeof authToken === 'string') return { kind: 'auth', authToken };
  const one = item(v);
  if (isWsBadItem(one)) return { kind: 'bad', item: one };
  return isWsRequest(one) ? { kind: 'request', request: one } : { kind: 'response', response: one };
}

function head(id: WsId | undefined, ch: string | undefined): string {
  let s = '{';
  if (id !== undefined) s += `"id":${JSON.stringify(id)},`;
  if (ch !== undefined) s += `"ch":${JSON.stringify(ch)},`;
  return s;
}

/** A request envelope as text. */
export function encodeWsRequest(id: WsId | undefined, op: string, grid: Grid, ch?: string): string {
  return `${head(id, ch)}"op":${JSON.stringify(op)},"grid":${writeHayson(grid)}}`;
}

/**
 * The parts of an answer around its grid's Hayson text: `prefix + gridJson + suffix`, so a server can splice in
 * bytes it already has (from its response cache) without decoding them.
 */
export function wsResponseParts(
  id: WsId | undefined,
  ch?: string,
): { readonly prefix: string; readonly suffix: string } {
  return { prefix: `${head(id, ch)}"grid":`, suffix: '}' };
}

/** An answer envelope as text. */
export function encodeWsResponse(id: WsId | undefined, grid: Grid, ch?: string): string {
  const { prefix, suffix } = wsResponseParts(id, ch);
  return prefix + writeHayson(grid) + suffix;
}

/** A batch: the members' texts as one JSON array, in order. */
export function encodeWsBatch(members: readonly string[]): string {
  return `[${members.join(',')}]`;
}

/** A watch push: the changed entities, as `watchPoll` would answer them (`ch`: the channel it was opened on). */
export function encodeWsPush(watchId: string, grid: Grid, ch?: string): string {
  const chPart = ch === undefined ? '' : `,"ch":${JSON.stringify(ch)}`;
  return `{"type":"watch","watchId":${JSON.stringify(watchId)}${chPart},"grid":${writeHayson(grid)}}`;
}

/** The first message of a client that authenticates with a bearer token. */
export function encodeWsAuth(authToken: string): string {
  return JSON.stringify({ authToken });
}

/** An auth or keep-alive step: `{"type": …, …fields}` (fields are strings: base64url data, tokens, names). */
export function encodeWsControl(type: WsControlType, fields: Readonly<Record<string, string>> = {}): string {
  return JSON.stringify({ type, ...fields });
}
