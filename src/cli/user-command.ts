// `haystack user add|list|set|remove`: manage the users of a running server through its users API.

import type { Command } from 'commander';
import type { LocalUsers } from '../app/index.js';
import type { UsersClient } from '../client/index.js';
import type { UserJson } from '../core/auth/user-json.js';
import { HaystackError, ValueError } from '../core/errors.js';
import { CliExit, type CliIo } from './io.js';
import { createPrompter, type Prompter } from './prompt.js';
import { REMOTE_ENV, type RemoteFlags, remoteTlsFetch, remoteUrl, withRemoteOptions } from './remote.js';

/** How to reach the server, on every subcommand. */
interface ConnectionFlags extends RemoteFlags {
  readonly json?: boolean;
  readonly store?: string;
}

/** What every subcommand needs: the users API of a server, or the users of a local store. */
type Users = Pick<LocalUsers, 'list' | 'create' | 'update' | 'remove'>;

interface AddFlags extends ConnectionFlags {
  readonly role: string;
  readonly disabled?: boolean;
  readonly generatePassword?: boolean;
}

interface SetFlags extends ConnectionFlags {
  readonly role?: string;
  readonly enable?: boolean;
  readonly disable?: boolean;
  readonly password?: boolean;
  readonly generatePassword?: boolean;
}

/** Environment variables the command reads. */
export const USER_ENV = Object.freeze({ ...REMOTE_ENV, newPassword: 'HAYSTACK_NEW_PASSWORD' });

const DEFAULT_URL = 'http://127.0.0.1:8080/api/';

// The flags of a connection to a server, as the user types them.
const SERVER_FLAGS: readonly (readonly [keyof RemoteFlags, string])[] = [
  ['url', '--url'],
  ['user', '-u'],
  ['ca', '--ca'],
  ['cert', '--cert'],
  ['key', '--key'],
];

function withConnection(cmd: Command): Command {
  return withRemoteOptions(cmd)
    .option('--json', 'print JSON')
    .option('--store <store>', 'change the users of a store file directly, without a server (sqlite:PATH)');
}

/** Register `haystack user add|list|set|remove`. */
export function registerUser(program: Command, io: CliIo): void {
  const user = program
    .command('user')
    .description(
      `manage the users of a running haystack serve as an admin (default --url ${DEFAULT_URL}, -u admin); ` +
        'or of a store file with --store sqlite:PATH',
    );
  withConnection(user.command('list').description('list users')).action(async (flags: ConnectionFlags) => {
    await session(flags, io, {}, async (client) => {
      const users = await client.list();
      if (flags.json === true) io.stdout.write(`${JSON.stringify(users, null, 2)}\n`);
      else io.stdout.write(table(users));
    });
  });
  withConnection(
    user
      .command('add')
      .description(`add a user; the password comes from $${USER_ENV.newPassword}, a prompt, or --generate-password`)
      .argument('<name>', 'username')
      .option('--role <role>', 'admin, operator or viewer', 'viewer')
      .option('--disabled', 'create the user disabled')
      .option('--generate-password', 'generate a random password and print it once'),
  ).action(async (name: string, flags: AddFlags) => {
    await checkRole('add', flags.role);
    const generated = await generatedPassword(flags.generatePassword);
    let password = generated ?? '';
    // `user add --store` may make the store file: that is how the first admin of a new store is made. The password
    // is asked before, so that a prompt without an answer leaves no new file behind.
    const ask = async (prompter: Prompter): Promise<void> => {
      if (generated === undefined) password = await newPassword(name, io, prompter);
    };
    await session(flags, io, { create: true, ask }, async (client) => {
      const made = await client.create({
        username: name,
        password,
        role: flags.role,
        ...(flags.disabled === true ? { enabled: false } : {}),
      });
      report(io, flags, made, `created user "${made.username}" (${made.role}${made.enabled ? '' : ', disabled'})`);
      if (generated !== undefined && flags.json !== true) io.stdout.write(`password: ${generated}\n`);
    });
  });
  withConnection(
    user
      .command('set')
      .description('change a user: role, enabled, password (a new password or disabling ends their sessions)')
      .argument('<name>', 'username')
      .option('--role <role>', 'admin, operator or viewer')
      .option('--enable', 'let the user log in')
      .option('--disable', 'stop the user from logging in')
      .option('--password', `set a new password, from $${USER_ENV.newPassword} or a prompt`)
      .option('--generate-password', 'set a random password and print it once'),
  ).action(async (name: string, flags: SetFlags) => {
    if (flags.enable === true && flags.disable === true)
      throw new CliExit(2, 'haystack user set: --enable or --disable, not both');
    await checkRole('set', flags.role);
    await session(flags, io, {}, async (client, prompter) => {
      const generated = await generatedPassword(flags.generatePassword);
      const password = generated ?? (flags.password === true ? await newPassword(name, io, prompter) : undefined);
      const changes = {
        ...(flags.role === undefined ? {} : { role: flags.role }),
        ...(flags.enable === true ? { enabled: true } : flags.disable === true ? { enabled: false } : {}),
        ...(password === undefined ? {} : { password }),
      };
      if (Object.keys(changes).length === 0) {
        throw new CliExit(2, 'haystack user set: nothing to change (--role, --enable, --disable, --password)');
      }
      const changed = await client.update(name, changes);
      report(
        io,
        flags,
        changed,
        `updated user "${changed.username}" (${changed.role}${changed.enabled ? '' : ', disabled'})`,
      );
      if (generated !== undefined && flags.json !== true) io.stdout.write(`password: ${generated}\n`);
    });
  });
  withConnection(user.command('remove').description('delete a user').argument('<name>', 'username')).action(
    async (name: string, flags: ConnectionFlags) => {
      await session(flags, io, {}, async (client) => {
        await client.remove(name);
        if (flags.json === true) io.stdout.write(`${JSON.stringify({ removed: name })}\n`);
        else io.stdout.write(`removed user "${name}"\n`);
      });
    },
  );
}

/** Refuse a role no server knows before asking one: a misspelt `--role` is a command-line mistake (exit 2). */
async function checkRole(command: string, role: string | undefined): Promise<void> {
  if (role === undefined) return;
  const { USER_ROLES } = await import('../app/user-roles.js');
  if ((USER_ROLES as readonly string[]).includes(role)) return;
  const names = [...USER_ROLES].reverse();
  const choices = `${names.slice(0, -1).join(', ')} or ${String(names.at(-1))}`;
  throw new CliExit(2, `haystack user ${command}: unknown --role ${JSON.stringify(role)} (use ${choices})`);
}

function report(io: CliIo, flags: ConnectionFlags, user: UserJson, line: string): void {
  io.stdout.write(flags.json === true ? `${JSON.stringify(user, null, 2)}\n` : `${line}\n`);
}

function table(users: readonly UserJson[]): string {
  const rows = [
    ['USERNAME', 'ROLE', 'ENABLED', 'CREATED', 'MODIFIED'],
    ...users.map((u) => [u.username, u.role, u.enabled ? 'yes' : 'no', u.created, u.modified]),
  ];
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map(
      (r) =>
        `${r
          .map((c, i) => c.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()}\n`,
    )
    .join('');
}

// Loaded when asked for: the generator brings core's SCRAM crypto, which `--help` and the other commands do without.
async function generatedPassword(asked: boolean | undefined): Promise<string | undefined> {
  if (asked !== true) return undefined;
  const { generatePassword } = await import('../core/auth/generate-password.js');
  return generatePassword();
}

async function newPassword(name: string, io: CliIo, prompter: Prompter): Promise<string> {
  const fromEnv = io.env[USER_ENV.newPassword];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  return prompter.secret(`New password for ${name}: `, name, `set $${USER_ENV.newPassword} or use --generate-password`);
}

/** Log in, run `work`, and always end the session and release connections; errors become CLI exits. */
async function session(
  flags: ConnectionFlags,
  io: CliIo,
  store: { readonly create?: boolean; readonly ask?: (prompter: Prompter) => Promise<void> },
  work: (client: Users, prompter: Prompter) => Promise<void>,
): Promise<void> {
  if (flags.store !== undefined) {
    // A store file is changed in this process: server flags would be ignored, and the user would think them used.
    const server = SERVER_FLAGS.filter(([key]) => flags[key] !== undefined).map(([, flag]) => flag);
    if (server.length > 0) {
      throw new CliExit(
        2,
        `haystack user: --store changes a store file without a server: give it or ${server.join(', ')}, not both`,
      );
    }
    await localSession(flags.store, io, store, work);
    return;
  }
  const url = remoteUrl('user', flags.url, io.env[USER_ENV.url], DEFAULT_URL);
  const username = flags.user ?? io.env[USER_ENV.user] ?? 'admin';
  // The client is loaded by the command that uses it, so that the rest of the CLI starts without it.
  const [{ NetworkError, UsersApiError, UsersClient }, { fetchFailureMessage }, { explainRemoteError }] =
    await Promise.all([
      import('../client/index.js'),
      import('../client/network-failure.js'),
      import('./remote-errors.js'),
    ]);
  const prompter = createPrompter(io, 'user');
  const tls = await remoteTlsFetch('user', flags, io);
  let client: UsersClient | undefined;
  try {
    // With a client certificate and no password given, the certificate is the login.
    const envPassword = io.env[USER_ENV.password];
    const password =
      envPassword !== undefined && envPassword !== ''
        ? envPassword
        : flags.cert === undefined
          ? await prompter.secret(`Password for ${username}: `, username, `set $${USER_ENV.password}`)
          : undefined;
    client = await UsersClient.connect({
      url,
      fetch: tls?.fetch ?? globalThis.fetch,
      ...(password === undefined ? {} : { credentials: { username, password } }),
    });
    await store.ask?.(prompter);
    await work(client, prompter);
  } catch (err) {
    if (err instanceof UsersApiError) throw new CliExit(1, `haystack user: ${err.message} (HTTP ${err.httpStatus})`);
    // The users client calls fetch directly: a fetch failure is classified as the Haystack client's are.
    const failure =
      err instanceof HaystackError || err instanceof CliExit || !(err instanceof Error)
        ? err
        : new NetworkError(fetchFailureMessage(err, url), { cause: err });
    throw await explainRemoteError('user', failure, {
      url,
      loggedIn: true,
      ...(tls === undefined ? {} : { fetch: tls.fetch }),
    });
  } finally {
    prompter.close();
    await client?.close().catch(() => undefined);
    await tls?.close();
  }
}

// The users of a store file, changed in this process: no login (whoever can write the file owns it).
async function localSession(
  store: string,
  io: CliIo,
  options: { readonly create?: boolean; readonly ask?: (prompter: Prompter) => Promise<void> },
  work: (client: Users, prompter: Prompter) => Promise<void>,
): Promise<void> {
  const prompter = createPrompter(io, 'user');
  let users: LocalUsers | undefined;
  try {
    await options.ask?.(prompter);
    // Only `add` makes a store file: a misspelt path given to list, set or remove is an error, not a new store.
    const { openLocalUsers } = await import('../app/local-users.js');
    users = await openLocalUsers(store, io.cwd, undefined, { mustExist: options.create !== true });
    await work(users, prompter);
  } catch (err) {
    if (err instanceof CliExit) throw err;
    if (err instanceof ValueError) throw new CliExit(2, `haystack user: ${err.message}`);
    if (err instanceof HaystackError) throw new CliExit(1, `haystack user: ${err.message}`);
    throw err;
  } finally {
    prompter.close();
    await users?.close();
  }
}
