// Who is calling: the principal an authentication step yields, roles, and the hooks that slot auth into the pipeline.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { PermissionError } from '../core/errors.js';

/** A role name. The standard ones rank `viewer` < `operator` < `admin`; custom roles match by name only. */
export type Role = string;

/** Standard roles, lowest first: each includes the rights of the ones before it. */
export const STANDARD_ROLES: readonly Role[] = Object.freeze(['viewer', 'operator', 'admin']);

/** The authenticated caller of a request. */
export interface Principal {
  /** User name (also the default `who` of a pointWrite). */
  readonly username: string;
  /** Display name, when different from the user name. */
  readonly dis?: string;
  /** Roles granted to the user. */
  readonly roles: readonly Role[];
  /** Session the request belongs to (bearer token session), closed by the `close` op. */
  readonly sessionId?: string;
}

/** The principal of every request on a server started with `noAuth`: an anonymous administrator. */
export const ANONYMOUS_ADMIN: Principal = Object.freeze({
  username: 'anonymous',
  roles: Object.freeze(['admin']),
});

/**
 * Authentication step of the pipeline. Resolves to the caller, or to `undefined` when it has answered
 * the request itself (a 401 challenge or a step of the auth handshake); throws `AuthError` to refuse.
 */
export type Authenticate = (req: IncomingMessage, res: ServerResponse) => Promise<Principal | undefined>;

/** Per-op role check: throws `PermissionError` (403) when `principal` may not call an op needing `role`. */
export type Authorize = (principal: Principal, role: Role, opName: string) => void;

/** Ends the session of a principal (the `close` op); a no-op without sessions. */
export type CloseSession = (principal: Principal) => Promise<void>;

/** True if `roles` grant `required`: the same role, or a higher standard role. */
export function hasRole(roles: readonly Role[], required: Role): boolean {
  if (roles.includes(required)) return true;
  const need = STANDARD_ROLES.indexOf(required);
  if (need < 0) return roles.includes('admin');
  return roles.some((r) => STANDARD_ROLES.indexOf(r) >= need);
}

/** The default role check: by {@link hasRole}. */
export const defaultAuthorize: Authorize = (principal, role, opName) => {
  if (!hasRole(principal.roles, role)) throw new PermissionError(`Op ${opName} needs role ${role}`);
};
