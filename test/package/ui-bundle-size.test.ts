// The web UI loads only what its first screen needs up front (the real build of scripts/build-ui.ts, gzipped as the
// server sends it); uPlot, the History and Users screens and the codecs it rarely reads are chunks fetched on use.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildUi, type UiBuild } from '../../scripts/build-ui.js';

/**
 * The UI's up-front ceiling, gzipped KiB: the figure reached when the build was split (95.8 KiB before, all up
 * front; 48.5 KiB since), so that it cannot grow unnoticed. PRODUCT.md section 6 says 35 KB gz for the UI, and that
 * is not reachable: uPlot alone is 22 KB gz (now fetched with the History screen only), and the first screen itself
 * needs preact with htm (6.3), the value kinds, grids and Zinc codec every HTTP answer is read with (20), the HTTP
 * client (5), its own screens (12) and the CSS (2.5), each file gzipped on its own as it is served. Raised by the
 * measured 0.11 KiB for the page title that names each screen and 0.08 KiB for the building tree that comes Back
 * as it was left: both are the first screen's own code, so neither can wait in a lazy chunk. Raised by the measured
 * 0.44 KiB for the live state's reason behind a disclosure and the notice that the server runs a new version: the
 * header shows them, and the check runs when a lazy chunk has failed, so it cannot itself be in one. Raised by the
 * measured 0.09 KiB of CSS that keeps each History legend entry on one line at phone width (the stylesheet is one
 * file, loaded up front). Raised by the measured 0.15 KiB of the Zinc reader's faster dict and empty-cell paths
 * (decode 6.5 % faster; the UI reads every answer with it), and 0.02 KiB for the new-version notice on the login
 * screen, whose failed code load is the client's (its lazy SCRAM chunk), so the check is the first screen's. Raised
 * by the measured 0.01 KiB that reopens the watch of the values on screen when the socket connects again (a value
 * stopped updating after an outage) and starts the offline reason closed each time: the live header's own code.
 * Raised by the measured 0.06 KiB for the live state after the server goes away (offline with why after the client's
 * timeout, the reason redrawn as it changes, failed reads of the first screens done again when the socket is back),
 * net of the never-set `idle` state removed: the live hub, its header badge and the screens' loading hook are up front.
 */
const UP_FRONT_CEILING_KIB = 49.48;

let built: UiBuild;
beforeAll(async () => {
  built = await buildUi(mkdtempSync(path.join(tmpdir(), 'haystack-ui-size-')));
}, 60_000);
afterAll(() => {
  rmSync(built.dir, { recursive: true, force: true });
});

const upFrontModules = (): string[] => built.chunks.filter((c) => c.upFront).flatMap((c) => c.modules);
const lazyModules = (): string[] => built.chunks.filter((c) => !c.upFront).flatMap((c) => c.modules);

describe('web UI bundle', () => {
  it(`loads at most ${UP_FRONT_CEILING_KIB} KiB gzipped up front`, () => {
    expect(built.upFrontGzipBytes / 1024).toBeLessThanOrEqual(UP_FRONT_CEILING_KIB);
  });

  it('loads uPlot and the History and Users screens only on use', () => {
    const lazy = ['/uplot/dist/uPlot.esm.js', 'src/ui/history-view.ts', 'src/ui/users-view.ts'];
    expect(upFrontModules().filter((m) => lazy.some((l) => m.endsWith(l)))).toEqual([]);
    for (const l of lazy)
      expect(
        lazyModules().some((m) => m.endsWith(l)),
        l,
      ).toBe(true);
  });

  it('fetches the live socket and the users API client as the session opens, not before the first screen', () => {
    const socket = [
      'src/client/ws-connection.ts',
      'src/core/codec/json/hayson-text-reader.ts',
      'src/client/users-client.ts',
      'src/core/auth/auth-header.ts',
    ];
    expect(upFrontModules().filter((m) => socket.some((l) => m.endsWith(l)))).toEqual([]);
  });

  it('leaves the JSON v3 and Trio codecs out of its up-front code', () => {
    const rare = /\/codec\/(json\/json3-|trio\/)/;
    expect(upFrontModules().filter((m) => rare.test(m))).toEqual([]);
  });

  it('preloads the chunks of the first screen and serves its entry first', () => {
    const [entry, ...rest] = built.chunks;
    expect(entry?.file).toMatch(/^main-[A-Z0-9]{8}\.js$/);
    expect(rest.filter((c) => c.upFront && c.file.endsWith('.js')).length).toBeGreaterThan(0);
  });
});
