// First start: create the administrator from the environment, or with a generated password, when there are no users.

import { DEFAULT_SCRAM_ITERATIONS } from '../../core/auth/scram-keys.js';
import { ValueError } from '../../core/errors.js';
import { checkOptionNames, type OptionNames } from '../../core/options.js';
import type { UserStore } from '../../storage/user-store.js';
import { credentialsForPassword, generatePassword } from './passwords.js';

/** Options of {@link bootstrapAdmin}. */
export interface BootstrapAdminOptions {
  /** The users. Required. */
  readonly users: UserStore;
  /** Name of the first admin (e.g. `HS_SUPERUSER_USERNAME`); give it with `password` or not at all (default `admin`). */
  readonly username?: string | undefined;
  /** Password of the first admin (e.g. `HS_SUPERUSER_PASSWORD`; default: one generated and returned). */
  readonly password?: string | undefined;
  /** PBKDF2 iterations of the credentials (default `DEFAULT_SCRAM_ITERATIONS`; use the server's). */
  readonly iterations?: number;
}

const BOOTSTRAP_OPTIONS: OptionNames<BootstrapAdminOptions> = {
  users: true,
  username: true,
  password: true,
  iterations: true,
};

/** What {@link bootstrapAdmin} did. */
export type BootstrapAdminResult =
  | {
      /** Users existed already: nothing was done (the environment is ignored). */
      readonly kind: 'existing';
    }
  | {
      /** The first admin was created. */
      readonly kind: 'created';
      /** Its name. */
      readonly username: string;
      /** The generated password, when none was given: show it once, it is not kept anywhere. */
      readonly generatedPassword: string | undefined;
    };

/** Name of the admin made when no username is configured. */
export const DEFAULT_ADMIN_USERNAME = 'admin';

/**
 * On a store without users, create an enabled `admin`-role user: `username`/`password` when both are given,
 * else `admin` with a generated password. Throws `ValueError` when only one of the two is given, or when they
 * break the username or password rules. A store with users is left alone.
 */
export async function bootstrapAdmin(options: BootstrapAdminOptions): Promise<BootstrapAdminResult> {
  checkOptionNames('Bootstrap options', options, BOOTSTRAP_OPTIONS);
  const { users, username, password } = options;
  const given = [username, password].filter((v) => v !== undefined && v !== '').length;
  if (given === 1) throw new ValueError('Give both the superuser username and password, or neither');
  if ((await users.listUsers()).length > 0) return { kind: 'existing' };
  const generated = given === 0 ? generatePassword() : undefined;
  const name = given === 0 ? DEFAULT_ADMIN_USERNAME : (username as string);
  const scram = await credentialsForPassword(generated ?? password, options.iterations ?? DEFAULT_SCRAM_ITERATIONS);
  await users.createUser({ username: name, role: 'admin', scram });
  return { kind: 'created', username: name, generatedPassword: generated };
}
