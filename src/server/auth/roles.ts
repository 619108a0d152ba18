// Roles of Haystack users and the one rule that compares them: admin > operator > viewer.

import { USER_ROLES, type UserRole } from '../../storage/user-store.js';

/** A user's role (`admin`, `operator` or `viewer`). */
export type Role = UserRole;

export { isUserRole as isRole, USER_ROLES as ROLES } from '../../storage/user-store.js';

/** True when a user with `userRole` may do what needs `requiredRole`: the same role or a higher one. */
export function roleAllows(userRole: Role, requiredRole: Role): boolean {
  return USER_ROLES.indexOf(userRole) >= USER_ROLES.indexOf(requiredRole);
}
