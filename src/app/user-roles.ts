// The user roles, alone: a leaf the CLI loads to check `--role` without the store backends or the server.

export { USER_ROLES } from '../storage/user-store.js';
