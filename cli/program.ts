/** Builds the `cuttle` program; main.ts runs it, tests run it in-process with captured output. */
import { Command, CommanderError, Option } from 'commander';
import { commandFactories } from './commands.ts';
import { CliContext, DEFAULT_EXECUTIVE_URL, processIo, type CliIo } from './context.ts';
import { reportError } from './errors.ts';

export function buildProgram(io: CliIo = processIo): { program: Command; ctx: CliContext } {
  const program = new Command('cuttle')
    .description('operate cuttle: schema, writers, limits, sources, snapshots')
    .addOption(
      new Option('--executive <url>', "the executive's URL")
        .env('CUTTLE_EXECUTIVE_URL')
        .default(DEFAULT_EXECUTIVE_URL),
    )
    .addOption(
      new Option('--admin-token <token>', 'admin token for admin commands').env('CUTTLE_ADMIN_TOKEN'),
    )
    .option('--json', 'print JSON for scripts instead of tables')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  const ctx = new CliContext(program, io);
  for (const factory of commandFactories) {
    const command = factory(ctx);
    // Subcommands inherit the overrides, so usage errors end in runCli instead of process.exit.
    command
      .exitOverride()
      .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
    for (const sub of command.commands)
      sub
        .exitOverride()
        .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
    program.addCommand(command);
  }
  return { program, ctx };
}

/** Runs `cuttle <args>`; returns the exit code (0 ok, 1 failure, 2 usage). */
export async function runCli(args: readonly string[], io: CliIo = processIo): Promise<number> {
  const { program, ctx } = buildProgram(io);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    return reportError(err, io, ctx.options.json === true);
  }
}
