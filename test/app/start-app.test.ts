// The app layer: store texts choose a backend, a persistent store keeps its data, and a failed start undoes itself.

import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AppConfig,
  type AppOutput,
  MEMORY_BACKEND,
  type OpenedStore,
  openStore,
  parseStoreSpec,
  prepareApp,
  type StoreBackend,
  startApp,
} from '../../src/app/index.js';
import { HaystackError, ValueError } from '../../src/core/errors.js';
import { Dict } from '../../src/core/grid/dict.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { createMemoryStore, createMemoryUserStore } from '../../src/storage/memory/index.js';
import { sharedAvailable, sharedPath } from '../support/shared.js';
import { makeTempDir } from '../support/temp-dir.js';

const quiet: AppOutput = { notice: () => undefined, log: () => undefined, warn: () => undefined };

const config = (overrides: Partial<AppConfig> = {}): AppConfig => ({
  host: '127.0.0.1',
  port: 0,
  seed: { kind: 'none' },
  security: { host: '127.0.0.1', auth: false, idleTtlMs: 60_000, maxLifetimeMs: 60_000, env: {} },
  cwd: process.cwd(),
  ...overrides,
});

/** A backend whose store already holds one site and counts its closes: what a persistent backend looks like. */
function keptBackend(): { backend: StoreBackend; closed: () => number } {
  let closes = 0;
  const backend: StoreBackend = {
    scheme: 'kept',
    usage: 'kept:NAME',
    async open(spec): Promise<OpenedStore> {
      const store = createMemoryStore();
      await store.commit([{ op: 'add', tags: Dict.of({ id: new Ref('site1'), site: true, dis: spec.location }) }]);
      return {
        store,
        users: createMemoryUserStore(),
        persistent: true,
        description: `kept ${spec.location}`,
        close: async () => {
          closes++;
          await store.close();
        },
      };
    },
  };
  return { backend, closed: () => closes };
}

describe('store texts', () => {
  it('parse into a scheme and a location', () => {
    expect(parseStoreSpec('memory')).toEqual({ text: 'memory', scheme: 'memory', location: '' });
    expect(parseStoreSpec('SQLite:./data.db')).toMatchObject({ scheme: 'sqlite', location: './data.db' });
    expect(parseStoreSpec('postgres://127.0.0.1/test')).toMatchObject({
      scheme: 'postgres',
      location: '//127.0.0.1/test',
    });
    expect(() => parseStoreSpec('./data.db')).toThrow(ValueError);
  });

  it('open with the backend of their scheme; an unknown scheme is a ValueError', async () => {
    const opened = await openStore('memory', [MEMORY_BACKEND], { cwd: '.' });
    expect([opened.persistent, opened.users, opened.store.backend]).toEqual([false, undefined, 'memory']);
    await opened.close();
    await expect(openStore('nosuch:x', [MEMORY_BACKEND], { cwd: '.' })).rejects.toThrow(ValueError);
    await expect(openStore('memory:extra', [MEMORY_BACKEND], { cwd: '.' })).rejects.toThrow(ValueError);
  });
});

describe('startApp', () => {
  it('serves a store a backend opened, keeping its data instead of seeding, and closes it', async () => {
    const { backend, closed } = keptBackend();
    const app = await startApp(
      config({ store: 'kept:north', backends: [MEMORY_BACKEND, backend], seed: { kind: 'demo', days: 0 } }),
      quiet,
    );
    try {
      expect(app.summary).toBe('store kept north: 1 entities, kept from before (nothing seeded)');
      const res = await fetch(`${app.address.url}read?filter=site`);
      expect(await res.text()).toContain('"north"');
    } finally {
      await app.close();
    }
    expect(closed()).toBe(1);
  });

  it('a defs folder that is missing or holds no lib fails the start, not the ops that need it later', async () => {
    const dir = makeTempDir('hs-start-defs-');
    try {
      for (const defs of [dir.file('nope'), dir.path]) {
        const err = await startApp(config({ store: 'memory', defs }), quiet).catch((e: unknown) => e);
        expect(err instanceof HaystackError && err.code).toBe('HS_ERR_STARTUP');
        expect((err as Error).message).toContain(`--defs ${defs}`);
        const prepared = await prepareApp(config({ store: 'memory', defs }), quiet).catch((e: unknown) => e);
        expect(prepared instanceof HaystackError && prepared.code).toBe('HS_ERR_STARTUP');
      }
    } finally {
      dir.remove();
    }
  });

  it('a def lib with a Trio syntax error fails the start naming the file, line and column', async () => {
    const dir = makeTempDir('hs-start-defs-');
    try {
      const file = dir.file('acme/tags.trio');
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, 'def: ^acmeTag\nis: ^marker\ndoc: "unterminated\n');
      const err = await startApp(config({ store: 'memory', defs: dir.path }), quiet).catch((e: unknown) => e);
      expect(err instanceof HaystackError && err.code).toBe('HS_ERR_STARTUP');
      // Not only the parser's code: what is wrong and where, with the folder named once.
      expect((err as Error).message).toContain(`--defs ${file}: trio 3:19:`);
    } finally {
      dir.remove();
    }
  });

  // The standard libs' own warnings (phIoT's chiller-* defs inherit two docs; Normalization asks the lib to settle
  // them) are nothing a server's operator can act on: logged only when asked for with level debug.
  it.skipIf(!sharedAvailable('defs'))('logs the warnings of def libs at level debug only', async () => {
    const logged = async (logLevel: 'info' | 'debug'): Promise<string[]> => {
      const lines: string[] = [];
      const out: AppOutput = { ...quiet, warn: (line) => lines.push(line), log: (line) => lines.push(line) };
      const app = await startApp(config({ store: 'memory', defs: sharedPath('defs'), logLevel }), out);
      await app.close();
      return lines.filter((l) => l.includes('--defs '));
    };
    expect(await logged('info')).toEqual([]);
    const debug = (await logged('debug')).map(
      (l) => JSON.parse(l) as { level: string; subsystem: string; msg: string },
    );
    expect(debug.map((r) => [r.level, r.subsystem, /\^(chiller-\w+) inherits doc/.exec(r.msg)?.[1]])).toEqual(
      ['absorption', 'reciprocal', 'rotaryScrew', 'centrifugal'].map((m) => ['debug', 'defs', `chiller-${m}`]),
    );
    expect(debug[0]?.msg).toMatch(/takes \^absorption's, the first in its is; .*phIoT\/chiller\.trio:82\)$/);
  });

  it.skipIf(!sharedAvailable('defs'))(
    'def libs that compile only in part start, and each problem is logged with where the def is',
    async () => {
      const dir = makeTempDir('hs-start-defs-');
      const warned: string[] = [];
      // Warnings go to the app's log (one line each, as text or JSON): both are looked through.
      const out: AppOutput = { ...quiet, warn: (line) => warned.push(line), log: (line) => warned.push(line) };
      try {
        // Lib ph (read from ../shared, copied only into the temporary folder) and a lib of ours with one bad def.
        cpSync(sharedPath('defs/ph'), dir.file('ph'), { recursive: true });
        const file = dir.file('acme/lib.trio');
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(
          file,
          'def: ^lib:acme\ndoc: "Acme"\nversion: "1.0"\ndepends: [^lib:ph]\n---\n' +
            'def: ^acmeTag\nis: ^nowhere\ndoc: "x"\n---\ndef: ^acmeOther\nis: ^marker\ndoc: "y"\n',
        );
        const app = await startApp(config({ store: 'memory', defs: dir.path }), out);
        try {
          // Served as far as it compiles, as Haxall does: the lib and its good def are there.
          const res = await fetch(`${app.address.url}defs?filter=${encodeURIComponent('def==^acmeOther')}`, {
            headers: { accept: 'text/zinc' },
          });
          expect(await res.text()).toContain('acmeOther');
        } finally {
          await app.close();
        }
        expect(warned.filter((l) => l.includes('--defs '))).toEqual([
          expect.stringMatching(/--defs .*acmeTag.*nowhere.*lib\.trio:6/),
        ]);
      } finally {
        dir.remove();
      }
    },
  );

  it('a port it cannot bind fails with HS_ERR_STARTUP and closes the store it opened', async () => {
    const blocker = http.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { backend, closed } = keptBackend();
    try {
      const port = (blocker.address() as AddressInfo).port;
      const err = await startApp(config({ port, store: 'kept:x', backends: [backend] }), quiet).catch(
        (e: unknown) => e,
      );
      expect(err instanceof HaystackError && err.code).toBe('HS_ERR_STARTUP');
      expect(closed()).toBe(1);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
