// `haystack certs DIR`: write a development CA, a localhost server certificate and a client certificate.

import { lstat, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { describeErrno, errnoCode } from '../core/errno-text.js';
import { generateDevCertificates } from './dev-certs.js';
import { CliExit, type CliIo } from './io.js';

/** Options of `haystack certs`. */
interface CertsOptions {
  readonly clientCn: string;
  readonly host?: readonly string[];
  readonly days: string;
  readonly force?: boolean;
}

/** Files written, in order, with their permissions: private keys readable by the owner only. */
const FILES = [
  ['ca.pem', 0o644],
  ['ca-key.pem', 0o600],
  ['server.pem', 0o644],
  ['server-key.pem', 0o600],
  ['client.pem', 0o644],
  ['client-key.pem', 0o600],
] as const;

/** Register `haystack certs DIR [--client-cn CN] [--host NAME...] [--days N] [--force]`. */
export function registerCerts(program: Command, io: CliIo): void {
  program
    .command('certs')
    .description('generate a development CA, a server certificate for localhost and a client certificate (PEM)')
    .argument('<dir>', 'directory to write ca.pem, server.pem, client.pem and their -key.pem files into')
    .option('--client-cn <cn>', 'common name of the client certificate: the username it logs in as', 'admin')
    .option('--host <name...>', 'server DNS names / IP addresses (default: localhost 127.0.0.1 ::1)')
    .option('--days <n>', 'validity of the server and client certificates in days', '825')
    .option('--force', 'overwrite existing files')
    .action(async (dir: string, options: CertsOptions) => {
      await runCerts(dir, options, io);
    });
}

async function runCerts(dir: string, options: CertsOptions, io: CliIo): Promise<void> {
  const days = Number(options.days);
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw new CliExit(2, 'haystack certs: --days must be a whole number from 1 to 3650');
  }
  if (options.clientCn.trim() === '') throw new CliExit(2, 'haystack certs: --client-cn must not be empty');
  const target = path.resolve(io.cwd, dir);
  const made = await generateDevCertificates({
    clientCn: options.clientCn,
    days,
    ...(options.host === undefined ? {} : { hosts: options.host }),
  });
  const contents: Record<(typeof FILES)[number][0], string> = {
    'ca.pem': made.ca.cert,
    'ca-key.pem': made.ca.key,
    'server.pem': made.server.cert,
    'server-key.pem': made.server.key,
    'client.pem': made.client.cert,
    'client-key.pem': made.client.key,
  };
  try {
    await mkdir(target, { recursive: true });
  } catch (err) {
    // mkdir -p fails with EEXIST only when the path is there but is not a folder.
    const why = describeErrno(errnoCode(err) === 'EEXIST' ? { code: 'ENOTDIR' } : err);
    throw new CliExit(1, `haystack certs: cannot write into ${dir}: ${why}`);
  }
  const files = FILES.map(([name, mode]) => ({ file: path.join(target, name), text: contents[name], mode }));
  // All or nothing: a kept file beside new ones would mix two CAs (a client certificate the new CA did not sign).
  if (options.force !== true) {
    for (const { file } of files) {
      if (await exists(file)) throw new CliExit(1, `haystack certs: ${file} exists (use --force to overwrite)`);
    }
  }
  const written: string[] = [];
  try {
    for (const { file, text, mode } of files) {
      // 'wx' fails on an existing file, so keys are never silently replaced (not even one made since the check).
      await writeFile(file, text, { mode, flag: options.force === true ? 'w' : 'wx' });
      written.push(file);
    }
  } catch (err) {
    if (options.force !== true) await Promise.all(written.map((file) => rm(file, { force: true })));
    if (errnoCode(err) === 'EEXIST')
      throw new CliExit(
        1,
        `haystack certs: ${String((err as { path?: unknown }).path)} exists (use --force to overwrite)`,
      );
    const at = (err as { path?: unknown }).path;
    throw new CliExit(1, `haystack certs: cannot write ${typeof at === 'string' ? at : dir}: ${describeErrno(err)}`);
  }
  const rel = (name: string): string => path.join(dir, name);
  io.stdout.write(
    [
      `Wrote a development CA, a server certificate and a client certificate (CN=${options.clientCn}) to ${target}`,
      'Serve HTTPS (TLS 1.3) with client-certificate login:',
      `  haystack serve --tls-cert ${rel('server.pem')} --tls-key ${rel('server-key.pem')} --tls-ca ${rel('ca.pem')}`,
      'Call it:',
      `  curl --cacert ${rel('ca.pem')} --cert ${rel('client.pem')} --key ${rel('client-key.pem')} https://localhost:8080/api/about`,
      'For development only: the private keys are not encrypted.',
      '',
    ].join('\n'),
  );
}

async function exists(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return true;
  } catch {
    return false;
  }
}
