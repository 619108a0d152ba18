// What a failed file or socket operation's code means, in words: `ENOENT` alone tells a new user little.
// Plain strings (no Node import), so the CLI and the app layer share it.

// The codes a command meets on files, ports and servers it is given; others print as their code alone.
const ERRNO_WORDS: Readonly<Record<string, string>> = Object.freeze({
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'a folder, not a file',
  ENOTDIR: 'a part of the path is not a folder',
  EEXIST: 'it exists already',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the name is too long',
  EADDRINUSE: 'the port is in use',
  EADDRNOTAVAIL: 'not an address of this machine',
  // Connecting to a server (a store's): what refused or could not be found is for the caller to name.
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'timed out',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'the host name could not be looked up now',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
});

/** The `code` of a failed file operation (`ENOENT`, `EISDIR`, ...), else the error's message. */
export function errnoCode(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}

/** A failed operation's `code` in words with the code after it (`no such file or folder (ENOENT)`), else the error's message. */
export function describeErrno(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string') return err instanceof Error ? err.message : String(err);
  const words = Object.hasOwn(ERRNO_WORDS, code) ? ERRNO_WORDS[code] : undefined;
  return words === undefined ? code : `${words} (${code})`;
}
