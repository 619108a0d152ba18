// Builds the `haystack` command tree; each subcommand lives in its own module and registers itself here.

import { Command, CommanderError } from 'commander';
import { registerCerts } from './certs-command.js';
import { registerConvert } from './convert-command.js';
import { registerDefs } from './defs-command.js';
import { registerHis } from './his-command.js';
import { CliExit, type CliIo } from './io.js';
import { registerRead } from './read-command.js';
import { registerAbout, registerFormats, registerNav, registerOps } from './remote-commands.js';
import { registerServe } from './serve-command.js';
import { registerCopy, registerExport, registerImport } from './transfer-commands.js';
import { registerUser } from './user-command.js';
import { registerWatch } from './watch-command.js';
import { registerWrite } from './write-command.js';

/** A subcommand module: adds its command to the program. Actions must throw {@link CliExit} to fail. */
export type RegisterCommand = (program: Command, io: CliIo) => void;

const COMMANDS: readonly RegisterCommand[] = [
  registerRead,
  registerCerts,
  registerServe,
  registerConvert,
  registerUser,
  registerImport,
  registerExport,
  registerCopy,
  registerAbout,
  registerOps,
  registerFormats,
  registerNav,
  registerHis,
  registerWrite,
  registerWatch,
  registerDefs,
];

/** Exit code of a command-line mistake: an unknown command or option, a missing or extra argument. */
const USAGE_EXIT = 2;

/** Version printed by `haystack --version`. */
export const VERSION = '0.1.0';

// After commander's one-line usage error, the command whose --help tells what it takes (commander alone says only
// `error: unknown option '--bogus'`).
function pointToHelp(command: Command, name: string): void {
  const what = command.commands.length > 0 ? 'commands and options' : 'options and arguments';
  command.showHelpAfterError(`(${name} --help lists its ${what})`);
  for (const sub of command.commands) pointToHelp(sub, `${name} ${sub.name()}`);
}

/** Run the CLI with `args` (without node and script) and return the exit code; never calls process.exit. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const program = new Command('haystack')
    .description('Project Haystack 4 toolkit: convert formats, query data, serve and call Haystack servers')
    .version(VERSION)
    // Options after a subcommand belong to it (`haystack defs subtypes equip --defs DIR`), not to its parent.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  for (const register of COMMANDS) register(program, io);
  pointToHelp(program, 'haystack');
  try {
    await program.parseAsync([...args], { from: 'user' });
    return 0;
  } catch (err) {
    // Commander exits 1 on a command-line mistake; ours are 2 (as the commands' own usage errors), so that a
    // script can tell a misspelt option from a run that failed. Help and version keep their 0.
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : USAGE_EXIT;
    if (err instanceof CliExit) {
      if (err.message !== '') io.stderr.write(err.message.endsWith('\n') ? err.message : `${err.message}\n`);
      return err.exitCode;
    }
    io.stderr.write(`haystack: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
