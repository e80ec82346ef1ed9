/**
 * What every subcommand gets: output (human tables or --json), the global options, and a client
 * for the executive's API. Global options: --executive (CUTTLE_EXECUTIVE_URL), --admin-token
 * (CUTTLE_ADMIN_TOKEN), --json.
 */
import type { Command } from 'commander';
import { ExecutiveClient } from './executive-client.ts';

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => void process.stdout.write(`${text}\n`),
  err: (text) => void process.stderr.write(`${text}\n`),
};

export interface GlobalOptions {
  readonly executive: string;
  readonly adminToken?: string;
  readonly json?: boolean;
}

export const DEFAULT_EXECUTIVE_URL = 'http://127.0.0.1:7070';

export class CliContext {
  readonly io: CliIo;
  /** Set by a command whose outcome is a verdict, not a failure (`cuttle status --exit-status`). */
  exitCode = 0;
  readonly #program: Command;

  constructor(program: Command, io: CliIo) {
    this.#program = program;
    this.io = io;
  }

  get options(): GlobalOptions {
    return this.#program.opts<GlobalOptions>();
  }

  client(): ExecutiveClient {
    const { executive, adminToken } = this.options;
    return new ExecutiveClient(executive, adminToken);
  }

  /** Prints `value` as JSON with --json, otherwise the human form. */
  print(value: unknown, human: () => string): void {
    this.io.out(this.options.json === true ? JSON.stringify(value, null, 2) : human());
  }
}

/** A plain-text table: a header row, then one row per entry, columns padded to fit. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '(none)';
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
