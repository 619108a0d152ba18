// The app layer's door: a running Haystack server composed from one config (what `haystack serve` starts).

// Def libraries from a directory (Node file access), for the CLI, which does not import the server layer.
export { defsProblem, loadDefsNamespace } from '../server/namespace/load-def-libs.js';
export type { AppOutput } from './app-output.js';
export {
  createDemoBuilding,
  DEFAULT_DEMO_SEED,
  type DemoBuilding,
  type PopulateDemoResult,
  populateDemo,
} from './demo/demo-building.js';
export { createDemoSimulator, type DemoSimulator } from './demo/demo-simulator.js';
export { type LocalUsers, openLocalUsers } from './local-users.js';
export { logLogins, logRequests } from './logging.js';
export { logEvents } from './observability/log-events.js';
export {
  type AppLogger,
  createLogger,
  type LogFormat,
  type LoggerOptions,
  prettyLine,
} from './observability/logger.js';
export {
  listenMetrics,
  type MetricsListener,
  type MetricsSource,
  metricsRoute,
} from './observability/metrics-server.js';
export {
  createPrometheusMetrics,
  type PrometheusMetrics,
  type PrometheusMetricsOptions,
} from './observability/prometheus.js';
export { TRACER_NAME, traceHaystack, tracerRegistered } from './observability/tracing.js';
export {
  ADMIN_PASSWORD_FILE,
  type AppSecurity,
  type AppSecurityConfig,
  type AppTlsConfig,
  appTlsOptions,
  certificateText,
  isKeyMismatch,
  isLoopbackHost,
  pemCertificateCount,
  prepareSecurity,
  SERVE_ENV,
} from './security.js';
export { loadEntities, type SeedConfig, type Seeded, type SeedOptions, seedStore } from './seed.js';
export {
  type AppConfig,
  type AppMetricsConfig,
  type AppWorker,
  type LogLevel,
  type PreparedApp,
  prepareApp,
  type RunningApp,
  startApp,
} from './serve-app.js';
export {
  clusterWorkerIndex,
  type RunningCluster,
  startCluster,
  startClusterWorker,
  WORKER_ENV,
} from './serve-cluster.js';
export { DEFAULT_METRICS_PORT, LOG_LEVELS, MAX_WORKERS } from './serve-defaults.js';
export { copyStore, type StoreCopyCounts, type StoreCopyOptions, type StoreCopyStage } from './store-copy.js';
export { DEFAULT_STORE, STORE_BACKENDS } from './stores/backends.js';
export { MEMORY_BACKEND } from './stores/memory-backend.js';
export {
  type OpenedStore,
  openStore,
  parseStoreSpec,
  type ScanCacheCounts,
  type StoreBackend,
  type StoreOpenContext,
  type StoreSpec,
} from './stores/store-backend.js';
export {
  checkHisRange,
  checkImportFile,
  type ExportOptions,
  exportStore,
  importEntities,
  importHistory,
  type TransferProgress,
} from './transfer.js';
