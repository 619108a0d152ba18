// The op registry: standard ops plus custom ones, validated once, looked up by name per request.

import { ValueError } from '../core/errors.js';
import { isRole } from './auth/roles.js';
import type { OpDef, OpRegistry } from './op.js';
import { type Authorize, defaultAuthorize } from './principal.js';

// An op name is the last URI segment and a def name (`op:<name>`): a tag-like identifier.
const OP_NAME = /^[a-z][a-zA-Z0-9_]*$/;

/**
 * Make a registry of `ops`; a later op with the name of an earlier one replaces it (custom ops override standard
 * ones). Every handler in the registry runs `authorize(ctx.principal, op.requiredRole, op.name)` first (then with
 * `op.roleFor(req)` when the op has it), so any transport that runs an op through the registry gets the role check
 * (HTTP also checks `requiredRole` before reading the body).
 */
export function createOpRegistry(ops: readonly OpDef[], authorize: Authorize = defaultAuthorize): OpRegistry {
  const byName = new Map<string, OpDef>();
  for (const op of ops) {
    if (typeof op.name !== 'string' || !OP_NAME.test(op.name)) {
      throw new ValueError(`Invalid op name ${JSON.stringify(op.name)}`);
    }
    if (typeof op.handler !== 'function') throw new ValueError(`Op ${op.name} has no handler`);
    if (!isRole(op.requiredRole)) {
      throw new ValueError(`Op ${op.name} needs a requiredRole of viewer, operator or admin`);
    }
    const { handler, requiredRole, name, roleFor } = op;
    byName.delete(op.name);
    byName.set(
      op.name,
      Object.freeze({
        ...op,
        handler: (req, ctx) => {
          authorize(ctx.principal, requiredRole, name);
          const more = roleFor?.(req);
          if (more !== undefined && more !== requiredRole) authorize(ctx.principal, more, name);
          return handler(req, ctx);
        },
      } satisfies OpDef),
    );
  }
  const list = Object.freeze([...byName.values()]);
  return Object.freeze({
    get: (name: string) => byName.get(name),
    list: () => list,
  });
}
