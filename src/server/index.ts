// Public door of `haystack-ts/server`: the Haystack HTTP API as an embeddable handler or a ready server.

export { type ActionDef, type ActionHandler, type ActionRegistry, createActionRegistry } from './actions.js';
export {
  AuthThrottle,
  type AuthThrottleOptions,
  type FailureKind,
  type ThrottleDecision,
  type ThrottleLimits,
} from './auth/auth-throttle.js';
export {
  Authenticator,
  type AuthenticatorOptions,
  type AuthHeaders,
  type AuthRequest,
  type AuthResult,
  type LoginEvent,
  type LoginFailureReason,
} from './auth/authenticator.js';
export {
  type BootstrapAdminOptions,
  type BootstrapAdminResult,
  bootstrapAdmin,
  DEFAULT_ADMIN_USERNAME,
} from './auth/bootstrap-admin.js';
export {
  credentialsForPassword,
  generatePassword,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  validatePassword,
} from './auth/passwords.js';
export { ROLES, roleAllows } from './auth/roles.js';
export {
  type IssuedToken,
  TokenService,
  type TokenServiceOptions,
  type TokenSession,
  tokenSessionId,
} from './auth/token-service.js';
export type { EntityChange, StoreObserver } from './cache/observed-store.js';
export type { CacheDeps } from './cache/response-cache.js';
export {
  type ConnectionEvent,
  type DecodeEvent,
  type MessageEvent,
  type OpTraceContext,
  type RequestEvent,
  SERVER_CHANNELS,
  type ServerErrorEvent,
  type SessionEvent,
  type StoreQueryEvent,
  type StoreTraceContext,
  TRACE_CHANNELS,
  type WatchEvent,
} from './events.js';
export { createHandler, type HaystackHandler } from './handler.js';
export type { ErrorReply, ErrorStatusMode } from './http/error-reply.js';
export { DEFAULT_HOME_LINKS, type HomeLink } from './http/home-page.js';
export type { HttpRoute, RouteRequest } from './http/route.js';
export type { UiOptions } from './http/ui-assets.js';
export { instrumentStore } from './instrumented-store.js';
export { DEFAULT_SERVER_LIMITS, type ServerLimits } from './limits.js';
export { attachMetricsHooks } from './metrics-hooks.js';
export { loadDefLibs, loadDefsNamespace } from './namespace/load-def-libs.js';
export { type DefLib, type DefNamespace, SERVER_LIB } from './namespace/namespace.js';
export type {
  AboutInfo,
  ChunkedGrid,
  OpContext,
  OpDef,
  OpHandler,
  OpRegistry,
  OpResult,
  ServerFormat,
  ServerInfo,
} from './op.js';
export { STANDARD_OPS } from './ops/standard-ops.js';
export { type HaystackServerOptions, PRODUCT_VERSION, type ResolvedServerOptions } from './options.js';
export type {
  OpCall,
  OpFailure,
  OpOutcome,
  OpPipeline,
  OpSuccess,
  RequestReader,
  ResponseEncoding,
} from './pipeline/dispatch-op.js';
export type { OpEvent, OpHookContext, OpHooks } from './pipeline/op-hooks.js';
export {
  ANONYMOUS_ADMIN,
  type Authenticate,
  type Authorize,
  type CloseSession,
  defaultAuthorize,
  type Principal,
  type Role,
} from './principal.js';
export {
  createSecurity,
  forwardedClientAddress,
  type SecurityHooksOptions,
  type SecurityOptions,
  type SecurityServerOptions,
  type ServerSecurity,
  securityHooks,
} from './security.js';
export { type CreateServerOptions, createServer, type HaystackServer, type ListenAddress } from './server.js';
export {
  CertAuthenticator,
  type CertAuthenticatorOptions,
  type CertAuthResult,
  type CertIdentitySource,
} from './tls/cert-authenticator.js';
export { type PeerIdentity, parseSubjectAltNames, peerIdentity } from './tls/peer-identity.js';
export {
  type Pem,
  readServerTlsFiles,
  type ServerTlsFiles,
  type ServerTlsInput,
  serverTlsOptions,
} from './tls/tls-options.js';
export {
  createUsersRoute,
  createWhoamiRoute,
  type UserChangeEvent,
  type UserJson,
  type UsersApiOptions,
  userJson,
  type WhoamiJson,
} from './users/users-api.js';
export { DEFAULT_WEBSOCKET_OPTIONS, type WebSocketOptions } from './ws/ws-options.js';
