/** `cuttle tables create | add-fields | show | drop | clear` */
import { Command } from 'commander';
import { CuttleError } from '../../lib/errors.ts';
import { renderTable, type CliContext } from '../context.ts';

interface TableSchema {
  readonly family: string;
  readonly table: string;
  readonly fields: readonly { readonly name: string; readonly type: string }[];
  readonly keyFields: readonly string[];
}

/** `name:type` -> ["name", "type"] */
function parseField(spec: string): [string, string] {
  const at = spec.lastIndexOf(':');
  if (at <= 0 || at === spec.length - 1) {
    throw new CuttleError(
      'BAD_REQUEST',
      `--field ${JSON.stringify(spec)} must be name:type, for example id:integer`,
    );
  }
  return [spec.slice(0, at), spec.slice(at + 1)];
}

const tablePath = (family: string, table: string) =>
  `/families/${encodeURIComponent(family)}/tables/${encodeURIComponent(table)}`;

function describeTable(schema: TableSchema): string {
  const rows = schema.fields.map((f) => [
    f.name,
    f.type,
    schema.keyFields.includes(f.name) ? `key ${schema.keyFields.indexOf(f.name) + 1}` : '',
  ]);
  return `${schema.family}.${schema.table}\n${renderTable(['FIELD', 'TYPE', 'KEY'], rows)}`;
}

export function tablesCommand(ctx: CliContext): Command {
  const command = new Command('tables').description('create, change, inspect, drop and clear tables');
  const fieldOption = [
    '-f, --field <name:type...>',
    'a field, e.g. id:integer (types: string, bytestring, integer, decimal, text, binary)',
  ] as const;

  command
    .command('create')
    .description('create a table (admin)')
    .argument('<family>')
    .argument('<table>')
    .requiredOption(...fieldOption)
    .requiredOption('-k, --key <field...>', 'key field(s), in key order')
    .action(async (family: string, table: string, options: { field: string[]; key: string[] }) => {
      const result = await ctx.client().request<{ seq: number }>('POST', tablePath(family, table), {
        fields: options.field.map(parseField),
        keyFields: options.key,
      });
      ctx.print(result, () => `created table ${family}.${table} (ledger seq ${result.seq})`);
    });

  command
    .command('add-fields')
    .description('add fields to a table, all at once (admin); existing rows get NULL')
    .argument('<family>')
    .argument('<table>')
    .requiredOption(...fieldOption)
    .action(async (family: string, table: string, options: { field: string[] }) => {
      const result = await ctx
        .client()
        .request<{ seq: number }>('POST', `${tablePath(family, table)}/fields`, {
          fields: options.field.map(parseField),
        });
      ctx.print(
        result,
        () => `added ${options.field.length} field(s) to ${family}.${table} (ledger seq ${result.seq})`,
      );
    });

  command
    .command('show')
    .description('show the schema of one table, or of every table of a family')
    .argument('<family>')
    .argument('[table]')
    .action(async (family: string, table: string | undefined) => {
      if (table !== undefined) {
        const schema = await ctx.client().request<TableSchema>('GET', tablePath(family, table));
        ctx.print(schema, () => describeTable(schema));
        return;
      }
      const result = await ctx
        .client()
        .request<{ family: string; tables: TableSchema[] }>('GET', `/families/${encodeURIComponent(family)}`);
      ctx.print(result, () =>
        result.tables.length === 0
          ? `family ${family} has no tables`
          : result.tables.map(describeTable).join('\n\n'),
      );
    });

  for (const [name, description, method, suffix] of [
    ['drop', 'drop a table and its rows (admin; needs --confirm <family>.<table>)', 'DELETE', ''],
    ['clear', 'delete every row of a table (admin; needs --confirm <family>.<table>)', 'POST', '/clear'],
  ] as const) {
    command
      .command(name)
      .description(description)
      .argument('<family>')
      .argument('<table>')
      .option('--confirm <family.table>', 'repeat the table name to confirm')
      .action(async (family: string, table: string, options: { confirm?: string }) => {
        const query = options.confirm === undefined ? '' : `?confirm=${encodeURIComponent(options.confirm)}`;
        const result = await ctx
          .client()
          .request<{ seq: number }>(method, `${tablePath(family, table)}${suffix}${query}`);
        ctx.print(
          result,
          () => `${name === 'drop' ? 'dropped' : 'cleared'} ${family}.${table} (ledger seq ${result.seq})`,
        );
      });
  }
  return command;
}
