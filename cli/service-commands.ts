/**
 * `cuttle executive | reflector | loader | supervisor | embedded`: run a service in this process,
 * the production entry points. Everything after the name is the service's own flags (its
 * `--help` lists them with their environment variables), so these bypass commander's parsing:
 * `--admin-token` after `cuttle executive` belongs to the executive, not to the CLI.
 */
import type { ServiceEntry } from '../lib/service-main.ts';
import type { CliIo } from './context.ts';

export interface ServiceCommand {
  readonly name: string;
  readonly summary: string;
  /** Runs the service until a signal; resolves to the exit code. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

async function runEntry(
  load: () => Promise<ServiceEntry<{ readonly logLevel: string }>>,
  args: readonly string[],
  io: CliIo,
): Promise<number> {
  const [{ runService }, entry] = await Promise.all([import('../lib/service-main.ts'), load()]);
  return runService(entry, args, process.env, io);
}

export const serviceCommands: readonly ServiceCommand[] = [
  {
    name: 'executive',
    summary: 'run the executive service (--help lists its EXECUTIVE_* variables)',
    run: (args, io) =>
      runEntry(async () => (await import('../services/executive/main.ts')).executiveEntry, args, io),
  },
  {
    name: 'reflector',
    summary: "run a reflector: the ledger into this host's LDB (--help: REFLECTOR_*)",
    run: (args, io) =>
      runEntry(async () => (await import('../services/reflector/main.ts')).reflectorEntry, args, io),
  },
  {
    name: 'loader',
    summary: 'run a loader: Debezium topics into the ledger (--help: LOADER_*)',
    run: (args, io) =>
      runEntry(async () => (await import('../services/loader/main.ts')).loaderEntry, args, io),
  },
  {
    name: 'supervisor',
    summary: 'run a supervisor: LDB snapshots to S3 (--help: SUPERVISOR_*)',
    run: (args, io) =>
      runEntry(async () => (await import('../services/supervisor/main.ts')).supervisorEntry, args, io),
  },
  {
    name: 'embedded',
    summary: 'run everything in one process on SQLite, no external service (what npm start runs)',
    run: async (args) => (await import('./embedded.ts')).embeddedMain(args),
  },
];
