// Auth costs: bearer-token checks per second (every request pays it) and one full SCRAM login at the default iterations.

import { formatAuthorization } from '../src/core/auth/auth-header.js';
import { ScramClient } from '../src/core/auth/scram-client.js';
import { DEFAULT_SCRAM_ITERATIONS, deriveScramCredentials } from '../src/core/auth/scram-keys.js';
import { scramServerFinal, scramServerFirst } from '../src/core/auth/scram-server.js';
import { Authenticator } from '../src/server/auth/authenticator.js';
import { TokenService } from '../src/server/auth/token-service.js';
import { createMemoryUserStore } from '../src/storage/memory/memory-user-store.js';

const users = createMemoryUserStore();
const scram = await deriveScramCredentials('secret', { iterations: DEFAULT_SCRAM_ITERATIONS });
await users.createUser({ username: 'alice', role: 'admin', scram });
const tokens = TokenService.create({ users });
const auth = Authenticator.create({ users, tokens, serverSecret: new Uint8Array(32).fill(1) });
const { token } = await tokens.issue('alice');
const header = formatAuthorization({ scheme: 'BEARER', authToken: token });

// Baseline: the same number of awaited Map lookups, the least a bearer check could cost.
const map = new Map([[token, 'alice']]);
const N = 200_000;
let t = performance.now();
for (let i = 0; i < N; i++) await Promise.resolve(map.get(token));
const baseline = N / ((performance.now() - t) / 1000);
t = performance.now();
for (let i = 0; i < N; i++) {
  const r = await auth.authenticate({ authorization: header, address: '127.0.0.1' });
  if (r.kind !== 'authenticated') throw new Error('bench: not authenticated');
}
const ours = N / ((performance.now() - t) / 1000);
console.log(
  `bearer check: ${(ours / 1e3).toFixed(0)} k/s; awaited Map.get baseline ${(baseline / 1e3).toFixed(0)} k/s; ratio ${(ours / baseline).toFixed(2)}`,
);

const logins = 5;
t = performance.now();
for (let i = 0; i < logins; i++) {
  const client = ScramClient.create({ username: 'alice', password: 'secret' });
  const hs = scramServerFirst(client.clientFirstMessage(), scram);
  const final = await client.clientFinalMessage(hs.serverFirst);
  client.verifyServerFinal(await scramServerFinal(hs, final, scram));
}
const ms = (performance.now() - t) / logins;
console.log(`SCRAM login (client PBKDF2 ${DEFAULT_SCRAM_ITERATIONS} iterations + server verify): ${ms.toFixed(1)} ms`);
const cheap = await deriveScramCredentials('secret', { iterations: 4096 });
const client = ScramClient.create({ username: 'alice', password: 'secret' });
const hs = scramServerFirst(client.clientFirstMessage(), cheap);
const final = await client.clientFinalMessage(hs.serverFirst);
t = performance.now();
for (let i = 0; i < 1000; i++) await scramServerFinal(hs, final, cheap);
console.log(
  `server proof verification: ${((performance.now() - t) / 1000).toFixed(3)} ms each (server never runs PBKDF2 in SCRAM)`,
);
