// Request ids: the client's `X-Request-Id` when it is sane, else one made here, echoed in the response header.

import { randomBytes } from 'node:crypto';

/** What an incoming id may look like: short, printable, no spaces or quotes (it goes into logs and headers). */
const SANE_ID = /^[\w.:@/+=-]{1,128}$/;

// A random process prefix and a counter: unique across restarts and workers without a random draw per request.
const PREFIX = randomBytes(6).toString('base64url');
let counter = 0;

/** The id of a request: the incoming header's value when it is sane, else a new `<process>-<n>` id. */
export function requestIdFor(incoming: string | string[] | undefined): string {
  if (typeof incoming === 'string' && SANE_ID.test(incoming)) return incoming;
  counter += 1;
  return `${PREFIX}-${counter.toString(36)}`;
}
