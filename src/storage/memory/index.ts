// Public door of `haystack-ts/storage/memory`: the in-process storage backend.

export { createMemoryAuthState, type MemoryAuthStateOptions } from './memory-auth-state.js';
export {
  DEFAULT_MEMORY_LIMITS,
  type MemoryState,
  type MemoryStoreLimits,
  type MemoryStoreStats,
} from './memory-state.js';
export { createMemoryStore, type MemoryStore, type MemoryStoreOptions } from './memory-store.js';
export {
  createMemorySessionStore,
  createMemoryUserStore,
  type MemoryUserStore,
  type MemoryUserStoreOptions,
} from './memory-user-store.js';
