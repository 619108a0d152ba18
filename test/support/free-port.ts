// A free TCP port on loopback, for servers that must be told their port (redis-server, postgres) rather than bind 0.

import { once } from 'node:events';
import { createServer } from 'node:net';

/** A port the OS just handed out on 127.0.0.1 (free now; a server started next on it almost always gets it). */
export async function freePort(): Promise<number> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const addr = srv.address();
  srv.close();
  await once(srv, 'close');
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}
