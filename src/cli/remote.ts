// Connecting CLI commands to a running Haystack server: URL, login, TLS files, and errors as CLI exits.

import { createSecureContext } from 'node:tls';
import type { Command } from 'commander';
import type { HaystackClient } from '../client/index.js';
import type { TlsFetch } from '../client/node/index.js';
import { CliExit, type CliIo } from './io.js';
import { createPrompter } from './prompt.js';
import { readFileArg } from './read-file-arg.js';

/** Environment variables the remote commands read. */
export const REMOTE_ENV = Object.freeze({
  url: 'HAYSTACK_URL',
  user: 'HAYSTACK_USER',
  password: 'HAYSTACK_PASSWORD',
});

/** How to reach a server. */
export interface RemoteFlags {
  /** API root. */
  readonly url?: string;
  /** User to log in as; without one (and without a client certificate) no login is attempted. */
  readonly user?: string;
  /** PEM CA file to trust. */
  readonly ca?: string;
  /** PEM client certificate file (mutual TLS). */
  readonly cert?: string;
  /** PEM key file of `cert`. */
  readonly key?: string;
}

/** Add `--url`, `-u/--user`, `--ca`, `--cert`, `--key` to a command. */
export function withRemoteOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', `API root of the server, e.g. http://127.0.0.1:8080/api (default $${REMOTE_ENV.url})`)
    .option(
      '-u, --user <name>',
      `user to log in as (default $${REMOTE_ENV.user}); password from $${REMOTE_ENV.password} or a prompt`,
    )
    .option('--ca <file>', 'PEM CA to trust for an HTTPS server (e.g. certs/ca.pem from haystack certs)')
    .option('--cert <file>', 'PEM client certificate for mutual TLS')
    .option('--key <file>', 'the PEM private key of --cert');
}

/**
 * The API root of `--url`, else of `$HAYSTACK_URL`, else `fallback`; none, or one that is not an http(s) URL (a
 * forgotten `http://`), is a usage error naming where it came from, given before any prompt or connection.
 */
export function remoteUrl(
  command: string,
  flag: string | undefined,
  env: string | undefined,
  fallback?: string,
): string {
  const [url, from] =
    flag !== undefined
      ? [flag, '--url']
      : env !== undefined && env !== ''
        ? [env, `$${REMOTE_ENV.url}`]
        : [fallback, ''];
  if (url === undefined) throw new CliExit(2, `haystack ${command}: give --url or set $${REMOTE_ENV.url}`);
  if (!/^https?:\/\/[^/]/i.test(url) || !URL.canParse(url)) {
    throw new CliExit(
      2,
      `haystack ${command}: ${from} must be an http:// or https:// URL, e.g. http://127.0.0.1:8080/api/, not ${JSON.stringify(url)}`,
    );
  }
  return url;
}

/** A fetch with the TLS files of the flags, or undefined when none are given. */
export async function remoteTlsFetch(command: string, flags: RemoteFlags, io: CliIo): Promise<TlsFetch | undefined> {
  if ((flags.cert === undefined) !== (flags.key === undefined)) {
    throw new CliExit(2, `haystack ${command}: --cert and --key go together`);
  }
  if (flags.ca === undefined && flags.cert === undefined) return undefined;
  // One after the other, so that when several files are missing the error names the first flag, every time.
  const read = (flag: string, file: string | undefined) =>
    file === undefined ? Promise.resolve(undefined) : readFileArg(io, `haystack ${command}`, flag, file);
  const ca = await read('--ca', flags.ca);
  const cert = await read('--cert', flags.cert);
  const key = await read('--key', flags.key);
  // Loaded here, not at the top: every command registers its options from this module, and `--help` must stay cheap.
  const [{ isKeyMismatch, pemCertificateCount }, { createTlsFetch }] = await Promise.all([
    import('../app/security.js'),
    import('../client/node/index.js'),
  ]);
  // Checked here: a bad file would otherwise fail the handshake as an untrusted or unreachable server.
  if (ca !== undefined && pemCertificateCount(ca) === 0) {
    throw new CliExit(1, `haystack ${command}: --ca ${String(flags.ca)} holds no PEM certificate`);
  }
  if (cert !== undefined && key !== undefined) {
    try {
      createSecureContext({ cert, key });
    } catch (err) {
      const files = `--key ${String(flags.key)} is not the key of --cert ${String(flags.cert)}`;
      const why = isKeyMismatch(err) ? files : `--cert/--key refused (${(err as Error).message})`;
      throw new CliExit(1, `haystack ${command}: ${why}`);
    }
  }
  return createTlsFetch({
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined || key === undefined ? {} : { cert, key }),
  });
}

/** Where and as whom a remote command logs in, for a second connection of its own (a WebSocket). */
export interface RemoteLogin {
  /** API root URL. */
  readonly url: string;
  /** Username, when the command logs in. */
  readonly username?: string;
  /** Password of `username`. */
  readonly password?: string;
}

/**
 * Run `work` with a logged-in client (the password from the environment or a prompt, asked only when a
 * user is named), then close the session and the connections. Failures become `CliExit`s that say what
 * went wrong without a stack trace; Ctrl-C stops the work with exit 130, unless `untilStopped` says that Ctrl-C
 * is how the command ends (`watch`), and then `work` watches `io.signal` itself.
 */
export async function withClient<T>(
  command: string,
  flags: RemoteFlags,
  io: CliIo,
  work: (client: HaystackClient, login: RemoteLogin) => Promise<T>,
  untilStopped = false,
): Promise<T> {
  const url = remoteUrl(command, flags.url, io.env[REMOTE_ENV.url]);
  const username = flags.user ?? io.env[REMOTE_ENV.user];
  const tls = await remoteTlsFetch(command, flags, io);
  const [{ HaystackClient }, { explainRemoteError }] = await Promise.all([
    import('../client/index.js'),
    import('./remote-errors.js'),
  ]);
  const prompter = createPrompter(io, command);
  let client: HaystackClient | undefined;
  try {
    let password: string | undefined;
    if (username !== undefined && username !== '') {
      const fromEnv = io.env[REMOTE_ENV.password];
      password =
        fromEnv !== undefined && fromEnv !== ''
          ? fromEnv
          : await prompter.secret(`Password for ${username}: `, username, `set $${REMOTE_ENV.password}`);
    }
    const login: RemoteLogin = {
      url,
      ...(username === undefined || username === '' || password === undefined ? {} : { username, password }),
    };
    client = new HaystackClient({ ...login, ...(tls === undefined ? {} : { fetch: tls.fetch }) });
    const done = work(client, login);
    return await (untilStopped ? done : stoppedBy(io.signal, command, done));
  } catch (err) {
    throw await explainRemoteError(command, err, {
      url,
      loggedIn: username !== undefined && username !== '',
      ...(tls === undefined ? {} : { fetch: tls.fetch }),
    });
  } finally {
    prompter.close();
    await client?.close().catch(() => undefined);
    await tls?.close();
  }
}

/**
 * `work`, or a CliExit with 130 as soon as `signal` aborts (Ctrl-C): a call the server is slow to answer must not
 * hold the command (the client is closed after, which ends the call).
 */
function stoppedBy<T>(signal: AbortSignal, command: string, work: Promise<T>): Promise<T> {
  let onAbort = (): void => undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => {
      reject(new CliExit(130, `haystack ${command}: stopped`));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  // The work's own failure after a stop is of no interest: the command has already ended.
  work.catch(() => undefined);
  return Promise.race([work, stopped]).finally(() => {
    signal.removeEventListener('abort', onAbort);
  });
}
