// Public door of `haystack-ts/client`: the isomorphic HTTP and WebSocket Haystack clients (Node and browsers).

export { AuthError, CallError, HaystackError, OptionError, PermissionError } from '../core/errors.js';
export { findApiRoot } from './api-root.js';
export { type ClientEvent, HaystackClient, type HaystackClientOptions } from './client.js';
export { type ClientCredentials, type LoginRequest, loginWithScram } from './client-auth.js';
export { HttpStatusError, LoginRequiredError, NetworkError } from './errors.js';
export type { ClientFormat } from './formats.js';
export { dateRange, dateTimeRange, encodeHisRange, type HisRange, TODAY, YESTERDAY } from './his-range.js';
export { classifyNetworkFailure, type NetworkFailure } from './network-failure.js';
export {
  type CallOptions,
  type CallResult,
  type DefsOptions,
  type HisWriteItem,
  type OpCaller,
  type Ops,
  OpsClient,
} from './ops.js';
export {
  type NewUserJson,
  type UserChangesJson,
  type UserJson,
  UsersApiError,
  UsersClient,
  type UsersClientOptions,
  type WhoamiJson,
} from './users-client.js';
export { isRemovedRow, Watch, type WatchCaller, type WatchIterateOptions, type WatchOptions } from './watch.js';
export {
  type BatchResults,
  type ConnectionSource,
  WebSocketClient,
  type WebSocketClientOptions,
  WebSocketPool,
} from './ws-client.js';
export {
  type BatchCall,
  defaultWebSocketFactory,
  WebSocketClosedError,
  WebSocketConnection,
  type WebSocketConnectionOptions,
  type WebSocketEventLike,
  type WebSocketFactory,
  type WebSocketLike,
  type WsLogin,
  type WsPush,
  wsEndpoint,
} from './ws-connection.js';
export {
  type ReconnectEvent,
  ReconnectingWebSocketClient,
  type ReconnectingWebSocketClientOptions,
} from './ws-reconnecting.js';
