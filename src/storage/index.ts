// Public door of `haystack-ts/storage`: the storage contract every backend implements, and helpers backends share.
// Backends have their own doors (`haystack-ts/storage/memory`, ...); the contract test kits are test support, not here.

export type {
  Clock,
  CommitDiff,
  HisBatchChunk,
  HisBatchChunkOptions,
  HisChunkOptions,
  HisItem,
  HisWrite,
  OverrideEnd,
  PointWriteRequest,
  PriorityArray,
  PriorityLevel,
  ReadQuery,
  StorageAdapter,
  TimeRange,
  WatchInfo,
  WatchPollResult,
} from './adapter.js';
export type {
  AuthStateStore,
  HandshakeLimits,
  HandshakeRecord,
  ThrottleFailure,
  ThrottleKey,
  ThrottleRecord,
  ThrottleScope,
} from './auth-state-store.js';
export type { ChangeNotifier, StoreChange, StoreChangeListener } from './change-notifier.js';
export {
  isEntityId,
  nextMod,
  requestedId,
  sameMod,
  storedEntity,
  updatedEntity,
  type ValueInterner,
} from './entity-tags.js';
export {
  emptyLevels,
  expireLevels,
  nextExpiry,
  type PointWritePlan,
  PRIORITY_LEVEL_COUNT,
  planPointWrites,
  toPriorityArray,
  validatePointWrite,
  writeLevel,
  writeTagChanges,
} from './priority-array.js';
export { type SessionColumns, type SessionRecord, type SessionStore, sessionFromColumns } from './session-store.js';
export { closedError, conflictError, unknownWatchError } from './storage-errors.js';
export {
  copyScramCredentials,
  copyUserRecord,
  DuplicateUserError,
  isUserRole,
  MAX_USERNAME_LENGTH,
  type NewUser,
  UnknownUserError,
  USER_ROLES,
  type UserChanges,
  type UserRecord,
  type UserRole,
  type UserStore,
  usernameSkeleton,
  validateScramCredentials,
  validateUsername,
  validateUserRole,
} from './user-store.js';
