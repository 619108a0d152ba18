// The `memory` store backend: entities, history and users in this process, forgotten when it stops.

import { ValueError } from '../../core/errors.js';
import type { StoreBackend } from './store-backend.js';

/** `--store memory`: nothing outlives the process (tests, demos). */
export const MEMORY_BACKEND: StoreBackend = Object.freeze<StoreBackend>({
  scheme: 'memory',
  usage: 'memory (in this process; nothing is kept after it stops)',
  async open(spec, context) {
    if (spec.location !== '') throw new ValueError('--store memory takes no location');
    // Loaded when opened, as the other backends load their drivers: the CLI's help lists this backend without it.
    const { createMemoryStore } = await import('../../storage/memory/index.js');
    const store = createMemoryStore(context.clock === undefined ? {} : { clock: context.clock });
    return {
      store,
      users: undefined,
      persistent: false,
      description: 'memory',
      close: () => store.close(),
    };
  },
});
