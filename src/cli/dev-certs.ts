// Development PKI: a CA, a localhost server certificate and a client certificate, made with @peculiar/x509 on WebCrypto.

import { webcrypto } from 'node:crypto';

/** A certificate and its private key, both PEM (the key unencrypted PKCS #8). */
export interface PemPair {
  /** `-----BEGIN CERTIFICATE-----` ... */
  readonly cert: string;
  /** `-----BEGIN PRIVATE KEY-----` ... */
  readonly key: string;
}

/** What {@link generateDevCertificates} makes. */
export interface DevCertificates {
  /** The development CA (trust it in clients; give it to the server as `--tls-ca` for client certificates). */
  readonly ca: PemPair;
  /** Server certificate for `hosts`, signed by the CA. */
  readonly server: PemPair;
  /** Client certificate with CN = `clientCn`, signed by the CA. */
  readonly client: PemPair;
}

/** Options of {@link generateDevCertificates}. */
export interface DevCertificateOptions {
  /** CN of the client certificate, the username it maps to (default `admin`). */
  readonly clientCn?: string;
  /** Names of the server: DNS names and IP addresses (default `localhost`, `127.0.0.1`, `::1`). */
  readonly hosts?: readonly string[];
  /** Validity of the leaf certificates in days (default 825, the longest some clients accept). */
  readonly days?: number;
  /** Start of validity (default now, less an hour for clock skew). */
  readonly notBefore?: Date;
}

/** A CA to issue from (its key stays in memory). */
export interface DevCa {
  /** The CA certificate and key as PEM. */
  readonly pem: PemPair;
  /** For signing. */
  readonly issue: (options: IssueOptions) => Promise<PemPair>;
}

/** What to put in an issued certificate. */
export interface IssueOptions {
  /** Subject common name. */
  readonly cn: string;
  /** Extended key usage: a TLS server or a TLS client. */
  readonly usage: 'server' | 'client';
  /** Subject alternative names: DNS names, IP addresses, or `email:`/`uri:`-prefixed values. */
  readonly altNames?: readonly string[];
  /** Validity in days. */
  readonly days: number;
  /** Start of validity. */
  readonly notBefore: Date;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

type X509 = typeof import('@peculiar/x509');

let loaded: Promise<X509> | undefined;

// @peculiar/x509 needs the Reflect metadata polyfill; load both on first use so that processes that never
// make certificates never patch the global Reflect.
function x509(): Promise<X509> {
  loaded ??= import('reflect-metadata').then(async () => {
    const lib = await import('@peculiar/x509');
    lib.cryptoProvider.set(webcrypto as unknown as Parameters<typeof lib.cryptoProvider.set>[0]);
    return lib;
  });
  return loaded;
}

function serial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  // Positive, non-zero first byte: RFC 5280 serials are positive integers of at most 20 octets.
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x01;
  return Buffer.from(bytes).toString('hex');
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

async function keyPem(lib: X509, key: webcrypto.CryptoKey): Promise<string> {
  return lib.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** Make a self-signed development CA valid for `days` (default ten years). */
export async function createDevCa(
  cn = 'haystack-ts development CA',
  days = 3650,
  notBefore = skewed(),
): Promise<DevCa> {
  const lib = await x509();
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const cert = await lib.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: new lib.Name([{ CN: [cn] }]),
    notBefore,
    notAfter: new Date(notBefore.getTime() + days * DAY_MS),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new lib.BasicConstraintsExtension(true, 0, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign, true),
      await lib.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  const pem = { cert: cert.toString('pem'), key: await keyPem(lib, keys.privateKey) };

  const issue = async (options: IssueOptions): Promise<PemPair> => {
    const leafKeys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
    const altNames = (options.altNames ?? []).map((n) => {
      if (n.startsWith('email:')) return { type: 'email' as const, value: n.slice(6) };
      if (n.startsWith('uri:')) return { type: 'url' as const, value: n.slice(4) };
      return { type: isIp(n) ? ('ip' as const) : ('dns' as const), value: n };
    });
    const extensions: InstanceType<X509['Extension']>[] = [
      new lib.BasicConstraintsExtension(false, undefined, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature, true),
      new lib.ExtendedKeyUsageExtension([
        options.usage === 'server' ? lib.ExtendedKeyUsage.serverAuth : lib.ExtendedKeyUsage.clientAuth,
      ]),
      await lib.SubjectKeyIdentifierExtension.create(leafKeys.publicKey),
      await lib.AuthorityKeyIdentifierExtension.create(keys.publicKey),
    ];
    if (altNames.length > 0) extensions.push(new lib.SubjectAlternativeNameExtension(altNames));
    const leaf = await lib.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject: new lib.Name([{ CN: [options.cn] }]),
      issuer: cert.subjectName,
      notBefore: options.notBefore,
      notAfter: new Date(options.notBefore.getTime() + options.days * DAY_MS),
      publicKey: leafKeys.publicKey,
      signingKey: keys.privateKey,
      signingAlgorithm: ALG,
      extensions,
    });
    return { cert: leaf.toString('pem'), key: await keyPem(lib, leafKeys.privateKey) };
  };

  return { pem, issue };
}

function skewed(): Date {
  return new Date(Date.now() - 3_600_000);
}

/**
 * A development CA, a server certificate for localhost/127.0.0.1/::1 (or `hosts`) and a client certificate
 * with CN `clientCn`. ECDSA P-256 keys, SHA-256 signatures. For development and tests only: the keys are
 * written unencrypted.
 */
export async function generateDevCertificates(options: DevCertificateOptions = {}): Promise<DevCertificates> {
  const notBefore = options.notBefore ?? skewed();
  const days = options.days ?? 825;
  const hosts = options.hosts ?? ['localhost', '127.0.0.1', '::1'];
  const clientCn = options.clientCn ?? 'admin';
  const ca = await createDevCa(undefined, undefined, notBefore);
  const server = await ca.issue({ cn: hosts[0] ?? 'localhost', usage: 'server', altNames: hosts, days, notBefore });
  const client = await ca.issue({ cn: clientCn, usage: 'client', days, notBefore });
  return { ca: ca.pem, server, client };
}
