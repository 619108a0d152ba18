// Why a fetch failed, told from the error codes Node and undici put on the cause chain (browsers say nothing).

/**
 * What went wrong below HTTP: `refused` (nothing listens), `host-not-found`, `reset` (the connection closed
 * mid-request, e.g. plain HTTP sent to a TLS port), `tls-untrusted` (the certificate chain ends at a CA this
 * runtime does not trust), `tls-hostname`, `tls-expired`, `tls` (any other TLS failure, e.g. HTTPS sent to a
 * plain HTTP port), `timeout`, `aborted`, or `unknown` (a browser's opaque `Failed to fetch`, or a code not
 * recognised).
 */
export type NetworkFailure =
  | 'refused'
  | 'host-not-found'
  | 'reset'
  | 'tls-untrusted'
  | 'tls-hostname'
  | 'tls-expired'
  | 'tls'
  | 'timeout'
  | 'aborted'
  | 'unknown';

const BY_CODE: Readonly<Record<string, NetworkFailure>> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'host-not-found',
  EAI_AGAIN: 'host-not-found',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  UND_ERR_SOCKET: 'reset',
  UND_ERR_CLOSED: 'reset',
  // OpenSSL's verify errors (Node's err.code) for a chain that does not end at a trusted root.
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'tls-untrusted',
  SELF_SIGNED_CERT_IN_CHAIN: 'tls-untrusted',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'tls-untrusted',
  UNABLE_TO_GET_ISSUER_CERT: 'tls-untrusted',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'tls-untrusted',
  CERT_UNTRUSTED: 'tls-untrusted',
  CERT_SIGNATURE_FAILURE: 'tls-untrusted',
  ERR_TLS_CERT_ALTNAME_INVALID: 'tls-hostname',
  CERT_HAS_EXPIRED: 'tls-expired',
  CERT_NOT_YET_VALID: 'tls-expired',
  EPROTO: 'tls',
  ETIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
  ABORT_ERR: 'aborted',
};

function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function classifyCode(code: string): NetworkFailure | undefined {
  const known = BY_CODE[code];
  if (known !== undefined) return known;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return 'tls';
  return undefined;
}

/** The errors on `err`'s cause chain (and inside AggregateErrors, as Node's happy-eyeballs connect throws), nearest first. */
function causes(err: unknown): unknown[] {
  const out: unknown[] = [];
  const queue: unknown[] = [err];
  // Bounded: a cause chain can in principle loop.
  while (queue.length > 0 && out.length < 32) {
    const e = queue.shift();
    if (typeof e !== 'object' || e === null || out.includes(e)) continue;
    out.push(e);
    const nested = (e as { errors?: unknown }).errors;
    if (Array.isArray(nested)) queue.push(...(nested as unknown[]));
    queue.push((e as { cause?: unknown }).cause);
  }
  return out;
}

/** The nearest recognised failure on `err`'s cause chain, with the code that told it (when there was one). */
export function classifyNetworkFailure(err: unknown): { readonly failure: NetworkFailure; readonly code?: string } {
  for (const e of causes(err)) {
    const code = codeOf(e);
    const failure = code === undefined ? undefined : classifyCode(code);
    if (failure !== undefined && code !== undefined) return { failure, code };
    if (e instanceof Error && e.name === 'AbortError') return { failure: 'aborted' };
  }
  return { failure: 'unknown' };
}

/** `host:port` of a URL, with the scheme's default port made explicit, as people type it in `--url`. */
export function hostAndPort(url: string): string {
  try {
    const u = new URL(url);
    const port = u.port !== '' ? u.port : u.protocol === 'https:' ? '443' : '80';
    return `${u.hostname}:${port}`;
  } catch {
    return url;
  }
}

/** A short phrase for a failure at `target` (host:port), e.g. `connection refused by 127.0.0.1:8080`. */
export function describeNetworkFailure(failure: NetworkFailure, target: string, code?: string): string {
  switch (failure) {
    case 'refused':
      return `connection refused by ${target}`;
    case 'host-not-found':
      return `host not found: ${target}`;
    case 'reset':
      return `connection to ${target} closed before the response`;
    case 'tls-untrusted':
      return `the TLS certificate of ${target} is not signed by a trusted CA (${code ?? 'untrusted'})`;
    case 'tls-hostname':
      return `the TLS certificate of ${target} does not name that host`;
    case 'tls-expired':
      return `the TLS certificate of ${target} is expired or not yet valid`;
    case 'tls':
      return `TLS failed with ${target}${code === undefined ? '' : ` (${code})`}`;
    case 'timeout':
      return `${target} did not answer in time`;
    case 'aborted':
      return 'aborted';
    case 'unknown':
      return `cannot reach ${target}`;
  }
}

/** What a failed fetch to `url` means, e.g. `connection refused by 127.0.0.1:8080`; unknown causes keep their text. */
export function fetchFailureMessage(err: unknown, url: string): string {
  const { failure, code } = classifyNetworkFailure(err);
  const what = describeNetworkFailure(failure, hostAndPort(url), code);
  if (failure !== 'unknown') return what;
  // undici's own message is always `fetch failed`; its cause says more (e.g. `bad port`).
  const inner = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return `${what} (${inner instanceof Error ? inner.message : String(inner)})`;
}
