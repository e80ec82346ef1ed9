/** Builds the `cuttle` program; main.ts runs it, tests run it in-process with captured output. */
import { Command, CommanderError, Option } from 'commander';
import { commandEntries, type CommandEntry } from './commands.ts';
import { CliContext, DEFAULT_EXECUTIVE_URL, processIo, type CliIo } from './context.ts';
import { reportError } from './errors.ts';
import { serviceCommands } from './service-commands.ts';

/** Global options that take a value, so that their value is not taken for a command's name. */
const VALUE_OPTIONS = new Set(['--executive', '--admin-token']);

/** The command `args` names (`cuttle [global options] <command> …`; `cuttle help <command>`). */
export function selectedCommand(args: readonly string[]): string | undefined {
  const positional: string[] = [];
  for (let i = 0; i < args.length && positional.length < 2; i++) {
    const arg = args[i] ?? '';
    if (VALUE_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith('-')) positional.push(arg);
  }
  return positional[0] === 'help' ? positional[1] : positional[0];
}

function tame(command: Command, io: CliIo): void {
  // Usage errors end in runCli instead of process.exit.
  command
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
}

async function commandFor(entry: CommandEntry, load: boolean, ctx: CliContext, io: CliIo): Promise<Command> {
  if (!load) return new Command(entry.name).description(entry.summary);
  const command = (await entry.load())(ctx);
  tame(command, io);
  for (const sub of command.commands) tame(sub, io);
  return command;
}

/** The program, with the modules of `load` commands loaded (by default only the one args name). */
export async function buildProgram(
  args: readonly string[],
  io: CliIo = processIo,
  load: (name: string) => boolean = (name) => name === selectedCommand(args),
): Promise<{ program: Command; ctx: CliContext }> {
  const program = new Command('cuttle')
    .description('operate cuttle: schema, writers, limits, sources, snapshots; run its services')
    .addOption(
      new Option('--executive <url>', "the executive's URL")
        .env('CUTTLE_EXECUTIVE_URL')
        .default(DEFAULT_EXECUTIVE_URL),
    )
    .addOption(
      new Option('--admin-token <token>', 'admin token for admin commands').env('CUTTLE_ADMIN_TOKEN'),
    )
    .option('--json', 'print JSON for scripts instead of tables')
    .showHelpAfterError();
  tame(program, io);
  const ctx = new CliContext(program, io);
  for (const entry of commandEntries) program.addCommand(await commandFor(entry, load(entry.name), ctx, io));
  for (const { name, summary } of serviceCommands) {
    // Listed for --help; runCli runs them before commander parses anything (see service-commands.ts).
    const command = new Command(name).description(summary).helpOption(false).allowUnknownOption();
    command.allowExcessArguments().argument('[flags...]');
    program.addCommand(
      command.action(() => {
        const message = `a service's name comes first: cuttle ${name} [flags]`;
        io.err(message);
        throw new CommanderError(2, 'cuttle.serviceNameFirst', message);
      }),
    );
  }
  return { program, ctx };
}

/** Runs `cuttle <args>`; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(args: readonly string[], io: CliIo = processIo): Promise<number> {
  const service = serviceCommands.find((s) => s.name === args[0]);
  if (service !== undefined) return service.run(args.slice(1), io);
  const { program, ctx } = await buildProgram(args, io);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    return reportError(err, io, ctx.options.json === true);
  }
}
