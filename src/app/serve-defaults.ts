// Defaults and bounds of `haystack serve`'s settings that its help text names: a leaf module, so that
// `haystack --help` prints them without loading the logger (pino), the cluster or the metrics listener.

import type { LevelWithSilent } from 'pino';

/** Log levels, most severe first (`silent` logs nothing). */
export const LOG_LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Most workers `--workers` accepts. */
export const MAX_WORKERS = 64;

/** The default port of `--metrics-listen` (the port Prometheus exporters of OpenTelemetry use). */
export const DEFAULT_METRICS_PORT = 9464;
