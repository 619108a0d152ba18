// Who is calling: the principal an authentication step yields, and the hooks that slot auth into the pipeline.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { PermissionError } from '../core/errors.js';
import { type Role, roleAllows } from './auth/roles.js';

export type { Role } from './auth/roles.js';

/** The authenticated caller of a request. */
export interface Principal {
  /** User name (also the default `who` of a pointWrite). */
  readonly username: string;
  /** Display name, when different from the user name. */
  readonly dis?: string;
  /** The user's role: `viewer` < `operator` < `admin`. */
  readonly role: Role;
  /** Session the request belongs to (bearer token session), closed by the `close` op. */
  readonly sessionId?: string;
}

/** The principal of every request on a server started with `noAuth`: an anonymous administrator. */
export const ANONYMOUS_ADMIN: Principal = Object.freeze({ username: 'anonymous', role: 'admin' });

/**
 * Authentication step of the pipeline. Resolves to the caller, or to `undefined` when it has answered
 * the request itself (a 401 challenge or a step of the auth handshake); throws `AuthError` to refuse.
 */
export type Authenticate = (req: IncomingMessage, res: ServerResponse) => Promise<Principal | undefined>;

/** Per-op role check: throws `PermissionError` (403) when `principal` may not call an op needing `role`. */
export type Authorize = (principal: Principal, role: Role, opName: string) => void;

/** Ends the session of a principal (the `close` op); a no-op without sessions. */
export type CloseSession = (principal: Principal) => Promise<void>;

/** The default role check: the caller's role must be the op's role or a higher one. */
export const defaultAuthorize: Authorize = (principal, role, opName) => {
  if (!roleAllows(principal.role, role)) throw new PermissionError(`Op ${opName} needs the ${role} role`);
};
