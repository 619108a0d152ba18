// One exit-code scheme for every command (README "Exit codes"): 0 done; 2 a command-line mistake, a malformed
// filter, value or date range given on the command line included, found before any server or store is reached;
// 1 a failure at run time (server, network, store, a file's content); 130 stopped by Ctrl-C.

import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured, spawnCli } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('haystack-exit-');
writeFileSync(dir.file('site.zinc'), 'ver:"3.0"\nid,site,dis\n@s,M,"Site"\n');
writeFileSync(dir.file('bad.zinc'), 'ver:"3.0"\nid,site\n@s,\n"');

afterAll(() => {
  dir.remove();
});

// Nothing listens on port 9: a command that reaches for the server fails at run time (1); one whose argument is
// malformed must fail before that (2).
const NOWHERE = { HAYSTACK_URL: 'http://127.0.0.1:9/api/', HAYSTACK_USER: '' };

describe('haystack exit codes', () => {
  // Each case is a process of its own that mostly waits on Node's start-up: they run side by side.
  it.concurrent.each<[string, readonly string[], number]>([
    ['a successful offline read', ['read', 'site', '--data', 'site.zinc'], 0],
    ['--version', ['--version'], 0],
    ['an unknown command', ['raed', 'site'], 2],
    ['a malformed filter to an offline read', ['read', 'site and (', '--data', 'site.zinc'], 2],
    ['a malformed filter to a remote read', ['read', 'site and ('], 2],
    ['a malformed filter to watch', ['watch', 'point and ('], 2],
    ['a malformed date range to his', ['his', '@p', '2024-13-45'], 2],
    ['a malformed value to write', ['write', '@p', '72 degrees', '--level', '8'], 2],
    ['a malformed --filter to defs', ['defs', '--defs', '/work/shared/defs', '--filter', 'def=='], 2],
    ['an unreachable server', ['read', 'site'], 1],
    ['a file that is not there', ['read', 'site', '--data', 'none.zinc'], 1],
    ['a malformed file', ['read', 'site', '--data', 'bad.zinc'], 1],
  ])('%s', async (_what, args, code) => {
    const r = await spawnCli(args, dir.path, NOWHERE);
    expect({ code: r.code, stderrEmpty: r.stderr === '' }).toEqual({ code, stderrEmpty: code === 0 });
  });

  it('Ctrl-C during a remote call exits 130', async () => {
    // A server that accepts and never answers: the call waits until Ctrl-C (the signal) stops it.
    const controller = new AbortController();
    const hang = net.createServer(() => {
      controller.abort();
    });
    const sockets = new Set<net.Socket>();
    hang.on('connection', (s) => sockets.add(s));
    hang.listen(0, '127.0.0.1');
    await once(hang, 'listening');
    const { port } = hang.address() as net.AddressInfo;
    try {
      const env = { HAYSTACK_URL: `http://127.0.0.1:${String(port)}/api/`, HAYSTACK_USER: '' };
      const r = await runCliCaptured(['read', 'site'], dir.path, env, '', controller.signal);
      expect(r.code).toBe(130);
    } finally {
      for (const s of sockets) s.destroy();
      hang.close();
    }
  });
});
