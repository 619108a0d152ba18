// Fake credentials for unknown usernames: deterministic per username and secret, shaped like real ones, never matching.

import { describe, expect, it } from 'vitest';
import { DEFAULT_SCRAM_ITERATIONS, deriveScramCredentials } from '../../../src/core/auth/scram-keys.js';
import { verifyScramPassword } from '../../../src/core/auth/scram-server.js';
import { FakeCredentials } from '../../../src/server/auth/fake-credentials.js';

const secret = new Uint8Array(32).fill(9);

describe('FakeCredentials', () => {
  it('gives the same salt to the same username, different salts to different names or secrets', () => {
    const fake = FakeCredentials.create({ secret });
    expect(fake.forUsername('ghost').salt).toEqual(fake.forUsername('ghost').salt);
    expect(fake.forUsername('ghost').salt).not.toEqual(fake.forUsername('ghost2').salt);
    const other = FakeCredentials.create({ secret: new Uint8Array(32).fill(1) });
    expect(other.forUsername('ghost').salt).not.toEqual(fake.forUsername('ghost').salt);
  });

  it('has the shape of real credentials: salt length, iteration count, key sizes', async () => {
    const fake = FakeCredentials.create({ secret }).forUsername('ghost');
    const real = await deriveScramCredentials('pw', { iterations: 4096 });
    expect(fake.salt.length).toBe(real.salt.length);
    expect(fake.iterations).toBe(DEFAULT_SCRAM_ITERATIONS);
    expect(fake.storedKey.length).toBe(real.storedKey.length);
    expect(fake.serverKey.length).toBe(real.serverKey.length);
    expect(FakeCredentials.create({ secret, iterations: 4096, saltBytes: 16 }).forUsername('x').salt.length).toBe(16);
  });

  it('matches no password', async () => {
    const fake = FakeCredentials.create({ secret, iterations: 4096 }).forUsername('ghost');
    expect(await verifyScramPassword('', fake)).toBe(false);
    expect(await verifyScramPassword('ghost', fake)).toBe(false);
  });

  it('refuses a short secret', () => {
    expect(() => FakeCredentials.create({ secret: new Uint8Array(16) })).toThrow();
  });
});
