// Public door of `haystack-ts/storage/testing`: the storage contract test kit any backend, ours or yours, runs.
// It registers vitest suites (vitest and fast-check are optional peer dependencies: install them to use it).

export {
  type AuthStateOf,
  describeStorageContract,
  type MakeAdapter,
  type OpenSibling,
  type StorageContractOptions,
} from './storage-contract.js';
export { CONTRACT_EPOCH, createTestClock, type TestClock } from './test-clock.js';
export {
  describeSessionStoreContract,
  describeUserSessionsContract,
  describeUserStoreContract,
} from './user-store-contract.js';
