// The first admin: made from a username and password, or generated, only on a store without users.

import { describe, expect, it } from 'vitest';
import { verifyScramPassword } from '../../../src/core/auth/scram-server.js';
import { bootstrapAdmin } from '../../../src/server/auth/bootstrap-admin.js';
import { createMemoryUserStore } from '../../../src/storage/memory/index.js';

const ITERATIONS = 4096;

describe('bootstrapAdmin', () => {
  it('creates the given admin; the password is stored only as SCRAM credentials', async () => {
    const users = createMemoryUserStore();
    const r = await bootstrapAdmin({ users, username: 'root', password: 'root-password', iterations: ITERATIONS });
    expect(r).toEqual({ kind: 'created', username: 'root', generatedPassword: undefined });
    const root = await users.getUser('root');
    expect(root).toMatchObject({ role: 'admin', enabled: true });
    expect(root?.scram.iterations).toBe(ITERATIONS);
    expect(JSON.stringify(root)).not.toContain('root-password');
    expect(await verifyScramPassword('root-password', root?.scram ?? Object.create(null))).toBe(true);
  });

  it('without a username and password, creates admin with a generated password', async () => {
    const users = createMemoryUserStore();
    const r = await bootstrapAdmin({ users, iterations: ITERATIONS });
    if (r.kind !== 'created' || r.generatedPassword === undefined) throw new Error('no password generated');
    expect(r.username).toBe('admin');
    expect(r.generatedPassword).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const admin = await users.getUser('admin');
    expect(await verifyScramPassword(r.generatedPassword, admin?.scram ?? Object.create(null))).toBe(true);
  });

  it('leaves a store with users alone, whatever it is given', async () => {
    const users = createMemoryUserStore();
    await bootstrapAdmin({ users, username: 'first', password: 'first-password', iterations: ITERATIONS });
    expect(await bootstrapAdmin({ users, username: 'second', password: 'second-password' })).toEqual({
      kind: 'existing',
    });
    expect((await users.listUsers()).map((u) => u.username)).toEqual(['first']);
  });

  it('refuses half a configuration and a password against the policy', async () => {
    const users = createMemoryUserStore();
    await expect(bootstrapAdmin({ users, username: 'root' })).rejects.toThrow(/both/);
    await expect(bootstrapAdmin({ users, password: 'root-password' })).rejects.toThrow(/both/);
    await expect(bootstrapAdmin({ users, username: 'root', password: 'short' })).rejects.toThrow(/password must be/);
    await expect(bootstrapAdmin({ users, username: ' root', password: 'long-enough' })).rejects.toThrow(/username/i);
    expect(await users.listUsers()).toEqual([]);
  });
});
