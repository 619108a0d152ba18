// `haystack ops|formats|nav|write|watch` against a running `haystack serve --no-auth` with the demo building.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { HaystackClient } from '../../src/client/index.js';
import { decodeJson } from '../../src/core/codec/json/index.js';
import { decodeZinc } from '../../src/core/codec/zinc/index.js';
import type { Grid } from '../../src/core/grid/grid.js';
import { Num } from '../../src/core/kinds/number.js';
import { runCliCaptured } from '../support/run-cli.js';
import { type StartedServe, startServe } from '../support/serve-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'haystack-ops-cli-'));
const SP = '@hudson.vav1-01.zatSp';

describe('CLI commands for the remaining ops', () => {
  let serve: StartedServe;
  let env: Record<string, string>;
  const cli = (args: readonly string[]) => runCliCaptured(args, dir, env);
  const zinc = (text: string) => decodeZinc(text) as Grid;

  beforeAll(async () => {
    serve = await startServe(['--port', '0', '--demo-days', '1', '--no-auth'], dir);
    expect(serve.url).toMatch(/^http:/);
    env = { HAYSTACK_URL: serve.url };
  }, 60_000);

  afterAll(async () => {
    await serve.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ops and formats print the server grids in the --to format', async () => {
    const ops = await cli(['ops', '--to', 'json']);
    expect(ops.code).toBe(0);
    const defs = (decodeJson(ops.stdout) as Grid).rows.map((r) => String(r.get('def')));
    expect(defs).toEqual(
      expect.arrayContaining(['^op:about', '^op:read', '^op:nav', '^op:pointWrite', '^op:watchSub']),
    );
    const formats = await cli(['formats', '--to', 'csv']);
    expect(formats.code).toBe(0);
    expect(formats.stdout.split('\n')[0]).toMatch(/mime/);
    expect(formats.stdout).toContain('text/zinc');
  });

  it('nav lists the roots, then the children of a navId', async () => {
    const roots = await cli(['nav']);
    expect(roots.code).toBe(0);
    const sites = zinc(roots.stdout);
    expect(sites.rows.map((r) => r.get('dis'))).toEqual(expect.arrayContaining(['Hudson Tower', 'Flatirons Lab']));
    const hudson = sites.rows.find((r) => r.get('dis') === 'Hudson Tower')?.get('navId');
    expect(hudson).toBeDefined();
    const children = await cli(['nav', `@${(hudson as { id: string }).id}`]);
    expect(children.code).toBe(0);
    expect(zinc(children.stdout).size).toBeGreaterThan(0);
  });

  it('write sets a level with --who and --duration, --array prints the priority array, null releases', async () => {
    const wrote = await cli([
      'write',
      SP,
      '68°F',
      '--level',
      '8',
      '--who',
      'ops test',
      '--duration',
      '30min',
      '--array',
    ]);
    expect(wrote.stderr).toBe('');
    expect(wrote.code).toBe(0);
    const array = zinc(wrote.stdout);
    const level8 = array.rows.find((r) => (r.get('level') as Num).val === 8);
    expect(level8?.get('val')).toEqual(new Num(68, '°F'));
    expect(level8?.get('who')).toBe('ops test');
    const released = await cli(['write', SP, 'null', '--level', '8']);
    expect(released.code).toBe(0);
    const after = zinc((await cli(['write', SP, '--array'])).stdout);
    expect(after.rows.find((r) => (r.get('level') as Num).val === 8)?.get('val') ?? null).toBeNull();
  });

  it('write refuses a missing level, a bad value and a duration without a unit (exit 2, nothing written)', async () => {
    expect((await cli(['write', SP, '70°F'])).code).toBe(2);
    expect((await cli(['write', SP, 'seventy', '--level', '8'])).code).toBe(2);
    expect((await cli(['write', SP, '70°F', '--level', '18'])).code).toBe(2);
    expect((await cli(['write', SP, '70°F', '--level', '8', '--duration', '30'])).code).toBe(2);
    expect((await cli(['write', SP])).code).toBe(2);
  });

  /** The CLI's streams for a command whose output the test reads from `stdout`, stopped by `signal`. */
  const cliIo = (stdout: PassThrough, signal: AbortSignal): CliIo => ({
    stdin: new PassThrough(),
    stdout,
    stderr: new PassThrough(),
    env,
    cwd: dir,
    signal,
  });

  /** Runs `haystack watch SP ...flags --count 1`, writes `value` once the state is printed; the grids printed. */
  async function watchOneChange(flags: readonly string[], value: Num): Promise<Grid[]> {
    const stdout = new PassThrough();
    let out = '';
    const initialPrinted = new Promise<void>((resolve) => {
      stdout.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        if (out.includes('zatSp')) resolve();
      });
    });
    const io = cliIo(stdout, new AbortController().signal);
    const done = runCli(['watch', SP, ...flags, '--count', '1', '--to', 'json'], io);
    await initialPrinted;
    const client = new HaystackClient({ url: serve.url });
    await client.pointWrite(SP, 8, value);
    expect(await done).toBe(0);
    await client.pointWrite(SP, 8, null);
    return out
      .trim()
      .split('\n')
      .map((line) => decodeJson(line) as Grid);
  }

  it('watch prints the current state, then each change, and stops after --count batches', async () => {
    // An unknown id beside it does not stop the watch of the known one.
    const grids = await watchOneChange(['@no.such.point', '--interval', '0.05'], new Num(66, '°F'));
    expect(grids).toHaveLength(2);
    expect(grids[1]?.first?.get('curVal')).toEqual(new Num(66, '°F'));
  });

  // An hour between polls: only a push can deliver the change before the test times out.
  it('watch --ws prints the current state, then the change the server pushes', async () => {
    const grids = await watchOneChange(['--ws', '--interval', '3600'], new Num(67, '°F'));
    expect(grids).toHaveLength(2);
    expect(grids[1]?.first?.get('curVal')).toEqual(new Num(67, '°F'));
  });

  it('watch by filter stops on Ctrl-C with exit 0', async () => {
    const controller = new AbortController();
    const stdout = new PassThrough();
    const printed = new Promise<void>((resolve) =>
      stdout.once('data', () => {
        resolve();
      }),
    );
    const io = cliIo(stdout, controller.signal);
    const done = runCli(['watch', 'zone and temp and sensor', '--interval', '0.05'], io);
    await printed;
    controller.abort();
    expect(await done).toBe(0);
  });

  it('his draws a progress bar through the range on a terminal, and prints the same rows', async () => {
    const stdout = new PassThrough();
    const stderr = Object.assign(new PassThrough(), { isTTY: true });
    let out = '';
    let err = '';
    stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
    stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
    const io: CliIo = { stdin: new PassThrough(), stdout, stderr, env, cwd: dir, signal: new AbortController().signal };
    expect(await runCli(['his', '@hudson.vav1-01.zat', 'yesterday', '--to', 'csv'], io)).toBe(0);
    expect(err).toMatch(/his \[#*-*\]\s+\d+%\s+[\d,]+ rows/);
    const piped = await cli(['his', '@hudson.vav1-01.zat', 'yesterday', '--to', 'csv']);
    expect(piped.stderr).toBe('');
    expect(out).toBe(piped.stdout);
    expect(out.trim().split('\n').length).toBeGreaterThan(1);
  });

  it('watch refuses several filters and a filter that matches nothing', async () => {
    expect((await cli(['watch', 'site', 'equip'])).code).toBe(2);
    const none = await cli(['watch', 'nothingHasThisTag']);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/nothing matches/);
    // Ids that name no entity are told, not watched forever.
    const ghost = await cli(['watch', '@no.such.point']);
    expect([ghost.code, ghost.stdout]).toEqual([1, '']);
    expect(ghost.stderr).toMatch(/no entity @no\.such\.point/);
  });
});
