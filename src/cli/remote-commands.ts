// `haystack about|ops|formats|nav`: ask a running server one read-only op and print the answer in any format.

import type { Command } from 'commander';
import type { HaystackClient } from '../client/index.js';
import type { Grid, Ref } from '../core/index.js';
import type { CliIo } from './io.js';
import { gridPrinter, type OutputFlags, withOutputOption } from './output.js';
import { type RemoteFlags, withClient, withRemoteOptions } from './remote.js';

interface PrintFlags extends RemoteFlags, OutputFlags {}

/** Add a command that takes no argument, calls the server once and prints the grid it answers. */
function registerOpPrinter(
  program: Command,
  io: CliIo,
  name: string,
  description: string,
  call: (client: HaystackClient) => Promise<Grid>,
): void {
  const cmd = program.command(name).description(description);
  withRemoteOptions(withOutputOption(cmd)).action(async (flags: PrintFlags) => {
    const print = await gridPrinter(name, flags.to, io);
    print(await withClient(name, flags, io, call));
  });
}

/** Register `haystack about --url URL [--to FORMAT]`. */
export function registerAbout(program: Command, io: CliIo): void {
  registerOpPrinter(program, io, 'about', 'print what a server says about itself (the about op)', (c) =>
    c.call('about'),
  );
}

/** Register `haystack ops --url URL [--to FORMAT]`. */
export function registerOps(program: Command, io: CliIo): void {
  registerOpPrinter(program, io, 'ops', 'list the ops a server offers (the ops op)', (c) => c.ops());
}

/** Register `haystack formats --url URL [--to FORMAT]`. */
export function registerFormats(program: Command, io: CliIo): void {
  registerOpPrinter(program, io, 'formats', 'list the formats a server reads and writes (the formats op)', (c) =>
    c.formats(),
  );
}

/** Register `haystack nav [NAVID] --url URL [--to FORMAT]`. */
export function registerNav(program: Command, io: CliIo): void {
  const cmd = program
    .command('nav')
    .description("browse a server's navigation tree (the nav op): the roots, or the children of NAVID")
    .argument('[navId]', 'a navId from a previous answer (e.g. a site id); omit for the roots');
  withRemoteOptions(withOutputOption(cmd)).action(async (navId: string | undefined, flags: PrintFlags) => {
    const print = await gridPrinter('nav', flags.to, io);
    const arg = navId === undefined ? undefined : await navIdArg(navId);
    print(await withClient('nav', flags, io, (c) => c.nav(arg)));
  });
}

// Our server and Haxall give Ref navIds; `@x` is a Ref, anything else goes as the Str it is.
async function navIdArg(raw: string): Promise<Ref | string> {
  if (!raw.startsWith('@')) return raw;
  const { Ref } = await import('../core/kinds/ref.js');
  return new Ref(raw.slice(1));
}
