// The `memory` store backend: entities, history and users in this process, forgotten when it stops.

import { ValueError } from '../../core/errors.js';
import { createMemoryStore } from '../../storage/memory/index.js';
import type { StoreBackend } from './store-backend.js';

/** `--store memory`: nothing outlives the process (tests, demos). */
export const MEMORY_BACKEND: StoreBackend = Object.freeze<StoreBackend>({
  scheme: 'memory',
  usage: 'memory (in this process; nothing is kept after it stops)',
  open(spec, context) {
    if (spec.location !== '') return Promise.reject(new ValueError('--store memory takes no location'));
    const store = createMemoryStore(context.clock === undefined ? {} : { clock: context.clock });
    return Promise.resolve({
      store,
      users: undefined,
      persistent: false,
      description: 'memory',
      close: () => store.close(),
    });
  },
});
