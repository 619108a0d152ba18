// The app the web UI's browser tests run against: the demo building in memory, the UI built into `uiDir`.

import type { AppConfig } from '../../src/app/index.js';

/** The superuser the app creates when it asks for logins. */
export interface UiAdmin {
  readonly username: string;
  readonly password: string;
}

/** The app's output, silenced. */
export const QUIET = { notice: () => undefined, log: () => undefined, warn: () => undefined };

/** An app on 127.0.0.1, port 0, with the demo building (2 days), its logins on or off and `admin` as superuser. */
export function uiAppConfig(uiDir: string, auth: boolean, admin: UiAdmin): AppConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    store: 'memory',
    seed: { kind: 'demo', days: 2 },
    security: {
      host: '127.0.0.1',
      auth,
      idleTtlMs: 600_000,
      maxLifetimeMs: 600_000,
      env: { HS_SUPERUSER_USERNAME: admin.username, HS_SUPERUSER_PASSWORD: admin.password },
    },
    cwd: process.cwd(),
    quiet: true,
    // The tests move values themselves; the simulator would only add noise.
    simulatorIntervalMs: 3_600_000,
    ui: uiDir,
  };
}
