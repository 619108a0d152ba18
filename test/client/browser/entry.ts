// Browser bundle entry for the client test: exposes the client and a few core values to the page.

import { HaystackClient, TODAY, WebSocketClient } from '../../../src/client/index.js';
import { ScramClient } from '../../../src/core/auth/scram-client.js';
import { HDate } from '../../../src/core/kinds/date.js';

/** What the test page finds on `window.haystack`. */
export interface BrowserApi {
  readonly HaystackClient: typeof HaystackClient;
  readonly TODAY: typeof TODAY;
  readonly HDate: typeof HDate;
  readonly ScramClient: typeof ScramClient;
  readonly WebSocketClient: typeof WebSocketClient;
}

(globalThis as unknown as { haystack: BrowserApi }).haystack = {
  HaystackClient,
  TODAY,
  HDate,
  ScramClient,
  WebSocketClient,
};
