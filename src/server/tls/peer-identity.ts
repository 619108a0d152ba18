// The identity in a verified peer certificate: its subject CN and subject alternative names.

import type { TLSSocket } from 'node:tls';

/** Names found in a peer certificate that the TLS handshake verified. */
export interface PeerIdentity {
  /** Subject common name (the first, if several). */
  readonly cn: string | undefined;
  /** SAN DNS names. */
  readonly dns: readonly string[];
  /** SAN IP addresses, as Node prints them. */
  readonly ip: readonly string[];
  /** SAN email addresses. */
  readonly email: readonly string[];
  /** SAN URIs. */
  readonly uri: readonly string[];
  /** SHA-256 fingerprint of the certificate (`AB:CD:...`). */
  readonly fingerprint256: string;
}

// Node prints SANs as `DNS:a, IP Address:1.2.3.4, email:x@y, URI:...`, JSON-quoting a value that holds
// a comma, quote or other special character (since the fix of CVE-2021-44532).
const SAN_ENTRY = /\s*([^:,]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:,|$)/gy;

/** Split Node's `subjectaltname` string into kinds; unknown kinds (e.g. `othername`) are ignored. */
export function parseSubjectAltNames(text: string | undefined): Omit<PeerIdentity, 'cn' | 'fingerprint256'> {
  const out = { dns: [] as string[], ip: [] as string[], email: [] as string[], uri: [] as string[] };
  if (text === undefined || text === '') return out;
  SAN_ENTRY.lastIndex = 0;
  for (let m = SAN_ENTRY.exec(text); m !== null && m[0] !== ''; m = SAN_ENTRY.exec(text)) {
    const raw = m[2] as string;
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch (_err) {
        continue;
      }
    }
    const kind = m[1] as string;
    if (kind === 'DNS') out.dns.push(value);
    else if (kind === 'IP Address') out.ip.push(value);
    else if (kind === 'email') out.email.push(value);
    else if (kind === 'URI') out.uri.push(value);
    if (SAN_ENTRY.lastIndex >= text.length) break;
  }
  return out;
}

/**
 * The identity of the peer on `socket`, or undefined unless the peer presented a certificate that the
 * handshake verified against the configured CA (`socket.authorized`). Only verified names are returned:
 * an unverified certificate says nothing about who is on the other end.
 */
export function peerIdentity(socket: TLSSocket): PeerIdentity | undefined {
  // Authorized means the handshake verified the peer's certificate, so there is one (never the empty object
  // getPeerCertificate gives for a peer that sent none).
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate(false);
  const cnValue: unknown = (cert.subject as Record<string, unknown> | undefined)?.CN;
  const cn = Array.isArray(cnValue) ? (cnValue[0] as unknown) : cnValue;
  return {
    cn: typeof cn === 'string' ? cn : undefined,
    ...parseSubjectAltNames(cert.subjectaltname),
    fingerprint256: cert.fingerprint256,
  };
}
