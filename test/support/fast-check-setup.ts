// Vitest setup file (vitest.config.ts): applies FC_SEED / FC_NUM_RUNS to fast-check when set, else changes nothing
// (fast-check is then not even loaded, so files without properties start as fast as before).

import { fastCheckSettings } from './fast-check-env.js';

const settings = fastCheckSettings(process.env);
if (Object.keys(settings).length > 0) {
  const { default: fc } = await import('fast-check');
  fc.configureGlobal({ ...fc.readConfigureGlobal(), ...settings });
}
