/**
 * Every `cuttle` subcommand, registered in this one list. To add one, write a file under cli/
 * exporting a function that returns a commander Command (it receives the CliContext, for output
 * and the executive client) and add it here.
 */
import type { Command } from 'commander';
import { deadlettersCommand } from './commands/deadletters.ts';
import { familiesCommand } from './commands/families.ts';
import { limitsCommand } from './commands/limits.ts';
import { sourcesCommand } from './commands/sources.ts';
import { tablesCommand } from './commands/tables.ts';
import { writersCommand } from './commands/writers.ts';
import type { CliContext } from './context.ts';
import { snapshotsCommand } from './snapshots.ts';

export type CommandFactory = (ctx: CliContext) => Command;

export const commandFactories: readonly CommandFactory[] = [
  familiesCommand,
  tablesCommand,
  writersCommand,
  limitsCommand,
  sourcesCommand,
  deadlettersCommand,
  snapshotsCommand,
];
