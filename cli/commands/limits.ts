/**
 * `cuttle limits list | show | set | unset` for writers and tables (admin). A change applies on
 * every executive within a second, without a restart.
 *
 *   cuttle limits set writer loader-1 --rate 500/s
 *   cuttle limits set table billing.invoices --max-bytes 200MiB --warn-bytes 150MiB
 *   cuttle limits unset table billing.invoices --rate
 */
import { Command } from 'commander';
import type {
  LimitsUsage,
  TableUsageReport,
  WriterUsageReport,
} from '../../services/executive/limits/usage.ts';
import { renderTable, type CliContext } from '../context.ts';
import {
  formatBytes,
  formatPercent,
  formatRate,
  parseBytes,
  parseRate,
  splitTable,
} from './limits-format.ts';

interface StoredTableLimit {
  readonly family: string;
  readonly table: string;
  readonly rateAmount: number | null;
  readonly ratePeriodMs: number | null;
  readonly warnBytes: number | null;
  readonly maxBytes: number | null;
}

interface TableOptions {
  rate?: string | true;
  warnBytes?: string | true;
  maxBytes?: string | true;
}

const enc = encodeURIComponent;
const writerPath = (writer: string) => `/limits/writers/${enc(writer)}`;
const tablePath = (family: string, table: string) => `/limits/tables/${enc(family)}/${enc(table)}`;
const source = (overridden: boolean) => (overridden ? 'override' : 'default');

function tableStatus(t: TableUsageReport): string {
  if (t.size === null) return 'not measured';
  return t.overHard ? 'FULL' : t.overSoft ? 'warn' : 'ok';
}

function writerRows(writers: readonly WriterUsageReport[]): string[][] {
  return writers.map((w) => [w.writer, formatRate(w.rate), formatPercent(w.burstUsed), source(w.overridden)]);
}

function tableRows(tables: readonly TableUsageReport[]): string[][] {
  return tables.map((t) => [
    `${t.family}.${t.table}`,
    formatRate(t.rate),
    formatPercent(t.burstUsed),
    formatBytes(t.size?.quotaBytes),
    formatBytes(t.warnBytes),
    formatBytes(t.maxBytes),
    tableStatus(t),
    source(t.overridden),
  ]);
}

function renderUsage(
  usage: Pick<LimitsUsage, 'mode' | 'writers' | 'tables'>,
  only?: 'writers' | 'tables',
): string {
  const sections = [`limiter: ${usage.mode}`];
  if (only !== 'tables') {
    sections.push(renderTable(['WRITER', 'RATE', 'BURST USED', 'FROM'], writerRows(usage.writers)));
  }
  if (only !== 'writers') {
    sections.push(
      renderTable(
        ['TABLE', 'RATE', 'BURST USED', 'SIZE', 'SOFT', 'HARD', 'STATUS', 'FROM'],
        tableRows(usage.tables),
      ),
    );
  }
  return sections.join('\n\n');
}

/** Reads a table's stored override so that setting one limit keeps the others. */
async function storedTableLimit(
  ctx: CliContext,
  family: string,
  table: string,
): Promise<StoredTableLimit | undefined> {
  const all = await ctx.client().request<{ tables: StoredTableLimit[] }>('GET', '/limits');
  return all.tables.find((t) => t.family === family && t.table === table);
}

function showCommand(ctx: CliContext): Command {
  const show = new Command('show').description('one writer or table: its limits and current usage');
  show
    .command('writer')
    .argument('<writer>')
    .action(async (writer: string) => {
      const w = await ctx
        .client()
        .request<WriterUsageReport & { mode: LimitsUsage['mode'] }>('GET', writerPath(writer));
      ctx.print(w, () => renderUsage({ mode: w.mode, writers: [w], tables: [] }, 'writers'));
    });
  show
    .command('table')
    .argument('<family.table>')
    .action(async (ref: string) => {
      const { family, table } = splitTable(ref);
      const t = await ctx
        .client()
        .request<TableUsageReport & { mode: LimitsUsage['mode'] }>('GET', tablePath(family, table));
      ctx.print(t, () =>
        [
          renderUsage({ mode: t.mode, writers: [], tables: [t] }, 'tables'),
          t.size === null
            ? ''
            : `rows ${t.size.rows}, data ${formatBytes(t.size.dataBytes)}, LDB estimate ${formatBytes(t.size.ldbBytes)} + ${formatBytes(t.size.growthBytes)} admitted since ${new Date(t.size.measuredAtMs).toISOString()}`,
        ].join('\n'),
      );
    });
  return show;
}

function setCommand(ctx: CliContext): Command {
  const set = new Command('set').description(
    'set a limit of a writer or a table (applies on every executive within a second)',
  );
  set
    .command('writer')
    .argument('<writer>')
    .requiredOption(
      '--rate <amount/period>',
      'at most <amount> mutations at once, refilled over <period>: 100/s, 6000/min, 10/100ms',
    )
    .action(async (writer: string, options: { rate: string }) => {
      const stored = await ctx.client().request('PUT', writerPath(writer), parseRate(options.rate));
      ctx.print(
        stored,
        () => `writer ${writer}: rate ${options.rate} (applies on every executive within a second)`,
      );
    });
  set
    .command('table')
    .argument('<family.table>')
    .option('--rate <amount/period>', 'mutations per period for the table, as for writers')
    .option('--warn-bytes <size>', 'soft quota (LDB bytes): a warning, a metric and a log line, e.g. 150MiB')
    .option('--max-bytes <size>', 'hard quota (LDB bytes): upserts that add data are refused, deletes pass')
    .action(async (ref: string, options: { rate?: string; warnBytes?: string; maxBytes?: string }) => {
      const { family, table } = splitTable(ref);
      const current = await storedTableLimit(ctx, family, table);
      const rate = options.rate === undefined ? undefined : parseRate(options.rate);
      const body = {
        rateAmount: rate?.rateAmount ?? current?.rateAmount ?? null,
        ratePeriodMs: rate?.ratePeriodMs ?? current?.ratePeriodMs ?? null,
        warnBytes:
          options.warnBytes === undefined
            ? (current?.warnBytes ?? null)
            : parseBytes(options.warnBytes, 'warn-bytes'),
        maxBytes:
          options.maxBytes === undefined
            ? (current?.maxBytes ?? null)
            : parseBytes(options.maxBytes, 'max-bytes'),
      };
      const stored = await ctx.client().request('PUT', tablePath(family, table), body);
      ctx.print(
        stored,
        () => `table ${family}.${table}: limits set (applies on every executive within a second)`,
      );
    });
  return set;
}

function unsetCommand(ctx: CliContext): Command {
  const unset = new Command('unset').description('remove overrides: the defaults apply again');
  unset
    .command('writer')
    .argument('<writer>')
    .action(async (writer: string) => {
      await ctx.client().request('DELETE', writerPath(writer));
      ctx.print({ writer, unset: true }, () => `writer ${writer}: back to the default rate`);
    });
  unset
    .command('table')
    .argument('<family.table>')
    .option('--rate', 'only the rate')
    .option('--warn-bytes', 'only the soft quota')
    .option('--max-bytes', 'only the hard quota')
    .action(async (ref: string, options: TableOptions) => {
      const { family, table } = splitTable(ref);
      const current = await storedTableLimit(ctx, family, table);
      const all =
        options.rate === undefined && options.warnBytes === undefined && options.maxBytes === undefined;
      const body = {
        rateAmount: options.rate === undefined ? (current?.rateAmount ?? null) : null,
        ratePeriodMs: options.rate === undefined ? (current?.ratePeriodMs ?? null) : null,
        warnBytes: options.warnBytes === undefined ? (current?.warnBytes ?? null) : null,
        maxBytes: options.maxBytes === undefined ? (current?.maxBytes ?? null) : null,
      };
      if (all || Object.values(body).every((v) => v === null))
        await ctx.client().request('DELETE', tablePath(family, table));
      else await ctx.client().request('PUT', tablePath(family, table), body);
      ctx.print(
        { family, table, unset: true },
        () => `table ${family}.${table}: back to the defaults for what was unset`,
      );
    });
  return unset;
}

export function limitsCommand(ctx: CliContext): Command {
  const command = new Command('limits').description(
    'rate limits and size quotas of writers and tables (admin)',
  );
  command
    .command('list')
    .description('every writer and table: the limits in force and the usage against them')
    .action(async () => {
      const usage = await ctx.client().request<LimitsUsage>('GET', '/limits/usage');
      ctx.print(usage, () => renderUsage(usage));
    });
  for (const sub of [showCommand(ctx), setCommand(ctx), unsetCommand(ctx)]) {
    // program.ts tames two levels of commands; these have a third (limits set writer).
    for (const leaf of sub.commands)
      leaf.exitOverride().configureOutput({
        writeOut: (s) => ctx.io.out(s.trimEnd()),
        writeErr: (s) => ctx.io.err(s.trimEnd()),
      });
    command.addCommand(sub);
  }
  return command;
}
