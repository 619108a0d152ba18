// The users API at `{basePath}users/`: list, get, create, update and delete users as JSON, for admins only.

import { channel } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserJson, WhoamiJson } from '../../core/auth/user-json.js';
import { echoInput } from '../../core/echo-input.js';
import { HaystackError, OptionError, StorageError, ValueError } from '../../core/errors.js';
import { checkOptionNames, type OptionNames } from '../../core/options.js';
import {
  type UserChanges,
  type UserRecord,
  type UserStore,
  usernameSkeleton,
  validateUsername,
  validateUserRole,
} from '../../storage/user-store.js';
import { credentialsForPassword } from '../auth/passwords.js';
import type { TokenService } from '../auth/token-service.js';
import { HttpHeaderError } from '../http/error-reply.js';
import { readBody } from '../http/read-body.js';
import type { HttpRoute, RouteRequest } from '../http/route.js';
import { splitTarget } from '../http/router.js';
import { deleteKeepingAdmin, updateKeepingAdmin } from './last-admin.js';

export type { UserJson, WhoamiJson } from '../../core/auth/user-json.js';

/** Options of {@link createUsersRoute}. */
export interface UsersApiOptions {
  /** The users. Required. */
  readonly users: UserStore;
  /** Sessions to end when a user's password changes, or the user is disabled or deleted. Required. */
  readonly tokens: TokenService;
  /** PBKDF2 iterations of new credentials: the count the authenticator announces for unknown users. Required. */
  readonly iterations: number;
  /** Path segment under the base path (default `users`). */
  readonly name?: string;
  /** Largest request body in bytes (default 16 KiB). */
  readonly maxBodyBytes?: number;
}

const USERS_API_OPTIONS: OptionNames<UsersApiOptions> = {
  users: true,
  tokens: true,
  iterations: true,
  name: true,
  maxBodyBytes: true,
};

/** Published on `haystack:auth:users` after every change made through the API (an audit trail for the app). */
export interface UserChangeEvent {
  /** What happened. */
  readonly action: 'create' | 'update' | 'delete';
  /** The user changed. */
  readonly username: string;
  /** The admin who did it. */
  readonly by: string;
  /** Fields changed by an update (never their values). */
  readonly fields: readonly string[];
  /** The admin's address (of the TCP connection). */
  readonly address: string | undefined;
  /** The id of the HTTP request that made the change (its `X-Request-Id`, the `reqId` of its log line). */
  readonly requestId: string | undefined;
}

const USERS_CHANNEL = channel('haystack:auth:users');
const JSON_TYPE = 'application/json; charset=utf-8';

/** The user's public view. */
export function userJson(user: UserRecord): UserJson {
  return {
    username: user.username,
    role: user.role,
    enabled: user.enabled,
    created: new Date(user.created).toISOString(),
    modified: new Date(user.modified).toISOString(),
  };
}

function badRequest(message: string): HaystackError {
  return new HaystackError('HS_ERR_BAD_REQUEST', message);
}

function methodNotAllowed(method: string, allow: string): HttpHeaderError {
  return new HttpHeaderError('HS_ERR_METHOD_NOT_ALLOWED', `Method ${method} is not allowed here`, { allow });
}

function lastAdmin(): StorageError {
  return new StorageError('At least one enabled admin must remain', { code: 'HS_ERR_CONFLICT' });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}) {
  const bytes = Buffer.from(body === undefined ? '' : JSON.stringify(body), 'utf8');
  res.writeHead(status, {
    ...headers,
    ...(body === undefined ? {} : { 'content-type': JSON_TYPE }),
    'content-length': bytes.length,
    'cache-control': 'no-store',
  });
  res.end(bytes);
}

// The error reply of every other request (status, errCode, errType, dis), as a JSON object instead of a grid.
function sendError({ res, errorReply }: RouteRequest, err: unknown): void {
  const reply = errorReply(err);
  const meta = reply.grid.meta;
  sendJson(
    res,
    reply.status,
    { err: true, errCode: reply.code, errType: meta.get('errType'), dis: meta.get('dis') },
    reply.headers,
  );
}

async function readJsonObject(req: IncomingMessage, maxBytes: number): Promise<Record<string, unknown>> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new HaystackError('HS_ERR_UNSUPPORTED_MEDIA', 'The request body must be application/json');
  }
  const text = (await readBody(req, maxBytes)).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest('The request body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

function onlyFields(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(body)) {
    if (!allowed.includes(k)) throw badRequest(`Unknown field ${echoInput(k)}`);
  }
}

function optionalBoolean(body: Record<string, unknown>, name: string): boolean | undefined {
  const v = body[name];
  if (v !== undefined && typeof v !== 'boolean') throw badRequest(`${name} must be true or false`);
  return v;
}

/**
 * The users API as a server route (give it in `routes`; `createSecurity` does). Every request needs the
 * `admin` role (403 otherwise). JSON in and out; credentials never leave the server.
 *
 * - `GET users/` lists users: `{ "users": [UserJson, ...] }`.
 * - `POST users/` with `{ "username", "password", "role"?, "enabled"? }` creates one (201, `Location`); role
 *   defaults to `viewer`; the password becomes SCRAM credentials and is not kept.
 * - `GET users/{name}` gives one; `PATCH users/{name}` with any of `{ "role", "enabled", "password" }` changes
 *   it; `DELETE users/{name}` removes it (204).
 *
 * Statuses: 400 bad input (unknown field, wrong type, invalid username, role or password), 404 unknown user,
 * 405 wrong method, 409 duplicate username or a change that would leave no enabled admin, 413 body too large,
 * 415 body not JSON. Errors are `{ "err": true, "errCode", "errType", "dis" }`. A password change, disable or
 * delete ends the user's sessions at once. Two admins cannot remove the last two admins at the same time, through
 * one process or several over one store (see `updateKeepingAdmin`).
 */
export function createUsersRoute(options: UsersApiOptions): HttpRoute {
  checkOptionNames('Users API options', options, USERS_API_OPTIONS);
  const { users, tokens, iterations } = options;
  const name = options.name ?? 'users';
  const maxBodyBytes: unknown = options.maxBodyBytes ?? 16 * 1024;
  if (!(typeof maxBodyBytes === 'number' && Number.isSafeInteger(maxBodyBytes) && maxBodyBytes > 0)) {
    const code = typeof maxBodyBytes === 'number' ? 'HS_ERR_OPTION_RANGE' : 'HS_ERR_OPTION_TYPE';
    throw new OptionError(code, 'maxBodyBytes', 'Users API options: maxBodyBytes must be a positive integer');
  }
  let queue: Promise<unknown> = Promise.resolve();
  // One change at a time in this process (the last-admin rule holds across processes without it; this spares the
  // undone writes it would take).
  const serialized = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const publish = (event: UserChangeEvent): void => {
    if (USERS_CHANNEL.hasSubscribers) USERS_CHANNEL.publish(event);
  };

  const existing = async (username: string): Promise<UserRecord> => {
    const user = await users.getUser(username);
    if (user === undefined) throw new HaystackError('HS_ERR_UNKNOWN_NAME', `Unknown user ${echoInput(username)}`);
    return user;
  };

  // Who made a change, from where, in which request: the audit line leads to the request's own line.
  const origin = (r: RouteRequest): Pick<UserChangeEvent, 'by' | 'address' | 'requestId'> => ({
    by: r.principal.username,
    address: r.req.socket.remoteAddress,
    requestId: r.requestId,
  });

  const create = async (r: RouteRequest, self: string): Promise<void> => {
    const { req, res } = r;
    const body = await readJsonObject(req, maxBodyBytes);
    onlyFields(body, ['username', 'password', 'role', 'enabled']);
    if (typeof body.username !== 'string') throw badRequest('username must be a string');
    const username = validateUsername(body.username);
    const role = body.role === undefined ? 'viewer' : validateUserRole(body.role);
    const enabled = optionalBoolean(body, 'enabled') ?? true;
    const scram = await credentialsForPassword(body.password, iterations);
    const user = await serialized(async () => {
      // A name that differs from an existing one only by case would look like it in every listing.
      const skeleton = usernameSkeleton(username);
      const twin = (await users.listUsers()).find(
        (u) => u.username !== username && usernameSkeleton(u.username) === skeleton,
      );
      if (twin !== undefined) throw new ValueError('Invalid username: too like an existing one');
      return users.createUser({ username, role, scram, enabled });
    });
    publish({ action: 'create', username, fields: [], ...origin(r) });
    sendJson(res, 201, userJson(user), { location: `${self}/${encodeURIComponent(username)}` });
  };

  const update = async (r: RouteRequest, username: string) => {
    const { req, res } = r;
    const body = await readJsonObject(req, maxBodyBytes);
    onlyFields(body, ['role', 'enabled', 'password']);
    const fields = Object.keys(body);
    if (fields.length === 0) throw badRequest('Nothing to change: give role, enabled or password');
    const role = body.role === undefined ? undefined : validateUserRole(body.role);
    const enabled = optionalBoolean(body, 'enabled');
    const scram = body.password === undefined ? undefined : await credentialsForPassword(body.password, iterations);
    // The sessions end in the store's step that makes the change, never in a second call that could fail alone. Role
    // changes apply at once without it (tokens read the role on every use).
    const changes: UserChanges = {
      ...(role === undefined ? {} : { role }),
      ...(enabled === undefined ? {} : { enabled }),
      ...(scram === undefined ? {} : { scram }),
      ...(scram !== undefined || enabled === false ? { endSessions: true } : {}),
    };
    const user = await serialized(async () => {
      const current = await existing(username);
      const apply = () => updateKeepingAdmin(users, current, changes, lastAdmin);
      return changes.endSessions === true ? tokens.endingUserSessions(users, username, apply) : apply();
    });
    publish({ action: 'update', username, fields, ...origin(r) });
    sendJson(res, 200, userJson(user));
  };

  const remove = async (r: RouteRequest, username: string): Promise<void> => {
    const { res } = r;
    // The store ends the user's sessions with the delete, in one step.
    await serialized(async () => {
      const current = await existing(username);
      await tokens.endingUserSessions(users, username, () => deleteKeepingAdmin(users, current, lastAdmin));
    });
    publish({ action: 'delete', username, fields: [], ...origin(r) });
    sendJson(res, 204, undefined);
  };

  const dispatch = async (r: RouteRequest): Promise<void> => {
    const { req, res, principal, subpath, authorize } = r;
    authorize(principal, 'admin', name);
    // A request of node:http's server always has its method and URL (only client-side messages lack them).
    const method = req.method as string;
    if (subpath === '' || subpath === '/') {
      if (method === 'GET' || method === 'HEAD') {
        sendJson(res, 200, { users: (await users.listUsers()).map(userJson) });
        return;
      }
      if (method === 'POST') {
        const path = splitTarget(req.url as string).path;
        return create(r, path.slice(0, path.length - subpath.length));
      }
      throw methodNotAllowed(method, 'GET, POST');
    }
    const segment = subpath.slice(1).replace(/\/$/, '');
    if (segment.includes('/')) throw new HaystackError('HS_ERR_UNKNOWN_NAME', 'No such resource');
    let username: string;
    try {
      username = decodeURIComponent(segment);
    } catch {
      throw badRequest('Malformed percent-encoding in the username');
    }
    if (method === 'GET' || method === 'HEAD') {
      sendJson(res, 200, userJson(await existing(username)));
      return;
    }
    if (method === 'PATCH') return update(r, username);
    if (method === 'DELETE') return remove(r, username);
    throw methodNotAllowed(method, 'GET, PATCH, DELETE');
  };

  return Object.freeze({
    name,
    async serve(request: RouteRequest): Promise<void> {
      try {
        await dispatch(request);
      } catch (err) {
        // A ValueError (bad username, role or password) is HS_ERR_INVALID_VALUE: 400 like any other bad input.
        // Every handler answers in its last step, so nothing throws once an answer has started.
        sendError(request, err);
      }
    },
  });
}

/**
 * `GET {basePath}whoami`: the caller's username and role as JSON ({@link WhoamiJson}), for any role (a UI shows who
 * is logged in; the users API itself is for admins only). The role is the one the request was authorized with, so
 * a role change shows at once. Other methods: 405; a path below it: 404.
 */
export function createWhoamiRoute(): HttpRoute {
  const name = 'whoami';
  return Object.freeze({
    name,
    serve(request: RouteRequest): Promise<void> {
      const { req, res, principal, subpath, authorize } = request;
      try {
        authorize(principal, 'viewer', name);
        if (subpath !== '' && subpath !== '/') throw new HaystackError('HS_ERR_UNKNOWN_NAME', 'No such resource');
        const method = req.method as string;
        if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(method, 'GET, HEAD');
        const me: WhoamiJson = { username: principal.username, role: principal.role };
        sendJson(res, 200, me);
      } catch (err) {
        sendError(request, err);
      }
      return Promise.resolve();
    },
  });
}
