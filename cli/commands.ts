/**
 * Every `cuttle` subcommand, registered in this one list. To add one, write a file under cli/
 * exporting a function that returns a commander Command (it receives the CliContext, for output
 * and the executive client) and add it here.
 *
 * Each command's module is loaded only when that command runs: `cuttle --help` and
 * `cuttle limits list` must not pay for the S3 SDK, BullMQ or the MySQL driver that other commands
 * import. The summary repeats the command's own description (a unit test keeps them equal) so that
 * the top-level help can list every command without loading it.
 */
import type { Command } from 'commander';
import type { CliContext } from './context.ts';

export type CommandFactory = (ctx: CliContext) => Command;

export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<CommandFactory>;
}

export const commandEntries: readonly CommandEntry[] = [
  {
    name: 'families',
    summary: 'list and create families (namespaces of tables)',
    load: async () => (await import('./commands/families.ts')).familiesCommand,
  },
  {
    name: 'tables',
    summary: 'create, change, inspect, drop and clear tables',
    load: async () => (await import('./commands/tables.ts')).tablesCommand,
  },
  {
    name: 'writers',
    summary: 'register writers with their scopes, rotate their secrets, read their offsets',
    load: async () => (await import('./commands/writers.ts')).writersCommand,
  },
  {
    name: 'limits',
    summary: 'rate limits and size quotas of writers and tables (admin)',
    load: async () => (await import('./commands/limits.ts')).limitsCommand,
  },
  {
    name: 'sources',
    summary: 'register and manage Debezium sources',
    load: async () => (await import('./commands/sources.ts')).sourcesCommand,
  },
  {
    name: 'deadletters',
    summary: "inspect, replay or drop the loader's dead letters",
    load: async () => (await import('./commands/deadletters.ts')).deadlettersCommand,
  },
  {
    name: 'status',
    summary: 'the fleet: every process, its figures, and a summary line (admin)',
    load: async () => (await import('./commands/status.ts')).statusCommand,
  },
  {
    name: 'snapshots',
    summary: 'list, inspect, verify and restore LDB snapshots',
    load: async () => (await import('./snapshots.ts')).snapshotsCommand,
  },
];
