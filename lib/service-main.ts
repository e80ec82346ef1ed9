/**
 * What every service's main.ts does, in one place: read its configuration (printing the option
 * table for `--help`), create the logger, start the service, and run it until SIGTERM/SIGINT.
 * The same entry runs from source (`node --import tsx services/<name>/main.ts`) and from the
 * compiled build (`cuttle <name>`, dist/).
 *
 * Exit codes: 0 after a graceful stop, 1 when start-up or stop fails, 2 for a configuration error.
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { envName, flagName, type OptionTable } from './config.ts';
import { ensureError, isCuttleError } from './errors.ts';
import { runUntilSignal, ServiceGroup, type Service } from './lifecycle.ts';
import { createLogger, type Logger } from './logging.ts';

type Environment = Readonly<Record<string, string | undefined>>;

export interface ServiceEntry<C extends { readonly logLevel: string }> {
  /** The service's name, as in `cuttle <name>` and in every log line. */
  readonly name: string;
  /** Prefix of its environment variables (EXECUTIVE, LOADER, …). */
  readonly envPrefix: string;
  readonly options: OptionTable;
  readonly summary: string;
  loadConfig(environment: Environment, argv: readonly string[]): C;
  /** Builds and starts nothing yet: returns what runUntilSignal starts and stops. */
  create(config: C, log: Logger): Promise<Service>;
}

export interface ServiceIo {
  out(text: string): void;
  err(text: string): void;
}

const processIo: ServiceIo = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
};

/** Runs a service until a signal; resolves to the process's exit code. */
export async function runService<C extends { readonly logLevel: string }>(
  entry: ServiceEntry<C>,
  argv: readonly string[],
  environment: Environment,
  io: ServiceIo = processIo,
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.out(describeService(entry));
    return 0;
  }
  let config: C;
  try {
    config = entry.loadConfig(environment, argv);
  } catch (err) {
    // The message names every bad variable; a stack trace would only hide it.
    io.err(`${entry.name}: ${ensureError(err).message}`);
    return isCuttleError(err) && err.code === 'CONFIG_INVALID' ? 2 : 1;
  }
  const log = createLogger({ service: entry.name, level: config.logLevel });
  try {
    const group = new ServiceGroup(log);
    group.add(await entry.create(config, log));
    await runUntilSignal(group, log);
    return 0;
  } catch (err) {
    log.fatal({ err }, `${entry.name} failed`);
    return 1;
  }
}

/** `--help`: every option with its flag, its variable, its default and what it does. */
export function describeService(entry: ServiceEntry<{ readonly logLevel: string }>): string {
  const lines = [
    `Usage: cuttle ${entry.name} [--option value]...`,
    '',
    entry.summary,
    '',
    `Every option is a flag or an environment variable (the flag wins).`,
    '',
  ];
  for (const [option, spec] of Object.entries(entry.options)) {
    const fallback = spec.schema.safeParse(undefined);
    const shown =
      fallback.success && fallback.data !== undefined ? ` (default: ${JSON.stringify(fallback.data)})` : '';
    lines.push(`  ${flagName(option)}  ${envName(entry.envPrefix, option)}${shown}`);
    lines.push(`      ${spec.description}`);
  }
  return lines.join('\n');
}

/**
 * True when `moduleUrl` is the script node was started with, so a main.ts runs itself when
 * started directly and does nothing when imported (by `cuttle <name>` or a test).
 */
export function isEntryPoint(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return pathToFileURL(realpathSync(resolve(script))).href === moduleUrl;
  } catch {
    return false;
  }
}
