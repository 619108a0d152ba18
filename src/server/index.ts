// Public door of `haystack-ts/server`: the Haystack HTTP API as an embeddable handler or a ready server.

export { type ActionDef, type ActionHandler, type ActionRegistry, createActionRegistry } from './actions.js';
export {
  type RequestEvent,
  SERVER_CHANNELS,
  type ServerErrorEvent,
} from './events.js';
export { createHandler, type HaystackHandler } from './handler.js';
export type { ErrorStatusMode } from './http/error-reply.js';
export { DEFAULT_SERVER_LIMITS, type ServerLimits } from './limits.js';
export { loadDefLibs } from './namespace/load-def-libs.js';
export { type DefLib, type DefNamespace, SERVER_LIB } from './namespace/namespace.js';
export type {
  AboutInfo,
  OpContext,
  OpDef,
  OpHandler,
  OpRegistry,
  ServerFormat,
  ServerInfo,
} from './op.js';
export { STANDARD_OPS } from './ops/standard-ops.js';
export { type HaystackServerOptions, PRODUCT_VERSION, type ResolvedServerOptions } from './options.js';
export {
  ANONYMOUS_ADMIN,
  type Authenticate,
  type Authorize,
  type CloseSession,
  defaultAuthorize,
  type Principal,
  type Role,
} from './principal.js';
export { type CreateServerOptions, createServer, type HaystackServer, type ListenAddress } from './server.js';
