// Every factory of the server layer refuses a misspelt option, and a value of the wrong type or range, with an
// OptionError naming it (a misspelt `trustedProxy` must not leave the throttle keyed on the proxy's address).
// Asserted by code and option path, never by message.
import { describe, expect, it } from 'vitest';
import {
  Authenticator,
  AuthThrottle,
  bootstrapAdmin,
  CertAuthenticator,
  createHandler,
  createSecurity,
  createServer,
  createUsersRoute,
  readServerTlsFiles,
  securityHooks,
  serverTlsOptions,
  TokenService,
} from '../../src/server/index.js';
import { createMemoryStore, createMemoryUserStore } from '../../src/storage/memory/index.js';
import { untyped as bad, optionProblem } from '../support/errors.js';

const store = createMemoryStore();
const users = createMemoryUserStore();
const serverSecret = new Uint8Array(32).fill(7);
const tokens = TokenService.create({ users });
const authenticator = Authenticator.create({ users, tokens, serverSecret, iterations: 4096 });
const pem = '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n';

describe('a misspelt option is refused by every server factory', () => {
  it.each<[string, (o: never) => unknown, Record<string, unknown>, string]>([
    ['createHandler', createHandler, { store, noAuth: true, basepath: '/x/' }, 'basepath'],
    ['createServer', createServer, { store, noAuth: true, shutdownGrace: 5 }, 'shutdownGrace'],
    ['createSecurity', createSecurity, { users, serverSecret, trustedProxy: ['10.0.0.1'] }, 'trustedProxy'],
    ['createSecurity throttle', createSecurity, { users, serverSecret, throttle: { perpair: {} } }, 'throttle.perpair'],
    [
      'createSecurity throttle limits',
      createSecurity,
      { users, serverSecret, throttle: { perPair: { freeFailure: 3 } } },
      'throttle.perPair.freeFailure',
    ],
    ['securityHooks', securityHooks, { authenticator, tokens, clientAdress: () => 'x' }, 'clientAdress'],
    ['AuthThrottle.create', (o) => AuthThrottle.create(o), { knownAddress: 3 }, 'knownAddress'],
    [
      'Authenticator.create',
      (o) => Authenticator.create(o),
      { users, tokens, serverSecret, plaintext: true },
      'plaintext',
    ],
    ['TokenService.create', (o) => TokenService.create(o), { users, idleTtl: 5 }, 'idleTtl'],
    ['bootstrapAdmin', bootstrapAdmin, { users, user: 'admin' }, 'user'],
    ['CertAuthenticator.create', (o) => CertAuthenticator.create(o), { users, source: ['cn'] }, 'source'],
    ['createUsersRoute', createUsersRoute, { users, tokens, iterations: 4096, maxBody: 5 }, 'maxBody'],
    ['serverTlsOptions', serverTlsOptions, { cert: pem, key: pem, requireClientCerts: true }, 'requireClientCerts'],
    ['readServerTlsFiles', readServerTlsFiles, { certFile: 'a', keyFile: 'b', ca: 'c' }, 'ca'],
  ])('%s', async (_name, make, options, option) => {
    expect(await optionProblem(() => make(bad(options)))).toEqual(['HS_ERR_OPTION_UNKNOWN', option]);
  });
});

describe('a value of the wrong type or range is refused', () => {
  it.each<[string, () => unknown, string, string]>([
    ['security: options not an object', () => createSecurity(bad(undefined)), 'HS_ERR_OPTION_TYPE', ''],
    [
      'security: trustedProxies not an array',
      () => createSecurity(bad({ users, serverSecret, trustedProxies: '10.0.0.1' })),
      'HS_ERR_OPTION_TYPE',
      'trustedProxies',
    ],
    [
      'security: a clientAddress that is no function',
      () => createSecurity(bad({ users, serverSecret, clientAddress: 'x' })),
      'HS_ERR_OPTION_TYPE',
      'clientAddress',
    ],
    [
      'security: a negative throttle delay',
      () => createSecurity({ users, serverSecret, throttle: { perAddress: { baseDelayMs: -1 } } }),
      'HS_ERR_OPTION_RANGE',
      'throttle.perAddress.baseDelayMs',
    ],
    [
      'throttle: zero known addresses',
      () => AuthThrottle.create({ knownAddresses: 0 }),
      'HS_ERR_OPTION_RANGE',
      'knownAddresses',
    ],
    ['throttle: a clock of text', () => AuthThrottle.create(bad({ clock: 'now' })), 'HS_ERR_OPTION_TYPE', 'clock'],
    [
      'throttle: a limit given as text',
      () => AuthThrottle.create(bad({ perPair: { freeFailures: '3' } })),
      'HS_ERR_OPTION_TYPE',
      'perPair.freeFailures',
    ],
    [
      'users route: a body limit given as text',
      () => createUsersRoute(bad({ users, tokens, iterations: 4096, maxBodyBytes: '16k' })),
      'HS_ERR_OPTION_TYPE',
      'maxBodyBytes',
    ],
    [
      'users route: a zero body limit',
      () => createUsersRoute({ users, tokens, iterations: 4096, maxBodyBytes: 0 }),
      'HS_ERR_OPTION_RANGE',
      'maxBodyBytes',
    ],
  ])('%s', async (_name, make, code, option) => {
    expect(await optionProblem(make)).toEqual([code, option]);
  });
});
