// Roles rank admin > operator > viewer.

import { describe, expect, it } from 'vitest';
import { isRole, ROLES, roleAllows } from '../../../src/server/auth/roles.js';

describe('roleAllows', () => {
  it('grants a role and every role below it, nothing above', () => {
    const table = ROLES.map((have) => ROLES.map((need) => roleAllows(have, need)));
    expect(table).toEqual([
      [true, false, false],
      [true, true, false],
      [true, true, true],
    ]);
  });

  it('knows only the three roles', () => {
    expect(ROLES).toEqual(['viewer', 'operator', 'admin']);
    expect(isRole('admin')).toBe(true);
    expect(isRole('root')).toBe(false);
  });
});
