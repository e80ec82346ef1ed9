/**
 * `cuttle sources add | list | show | set | resolve | pause | resume | remove`: register an origin database's
 * tables with cuttle (mapping, cuttle tables, loader writer, Debezium connector) and manage them.
 *
 *   cuttle sources add shop --origin mysql://debezium@127.0.0.1:3307/ctl \
 *     --password file:/etc/cuttle/origin-shop.properties:password \
 *     --table widgets=shop.widgets --table prices --family shop --exclude widgets:secret \
 *     --rename widgets:Price=price_usd --key prices=sku,region
 *
 * `--dry-run` prints the whole mapping plan (every table and column with its cuttle type, every
 * warning and every refusal) and creates nothing; it exits non-zero when anything is refused.
 *
 * The password is a reference (env:VARIABLE or file:/path:key) that this command and every Kafka
 * Connect worker resolve on their own host; its value is never sent anywhere.
 * Kafka Connect comes from --connect (CUTTLE_CONNECT_URL), brokers from --brokers
 * (CUTTLE_KAFKA_BROKERS) as the connector reaches them.
 */
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { CuttleError } from '../../lib/errors.ts';
import { ConnectClient } from '../../lib/sources/connect-client.ts';
import { MysqlOriginSchemaReader } from '../../services/loader/adapters/origin-schema-adapter.ts';
import type { OriginAddress } from '../../services/loader/sources/connector-config.ts';
import { ExecutiveAdmin } from '../../services/loader/sources/executive-admin.ts';
import type { TableChoice } from '../../services/loader/sources/origin-schema.ts';
import {
  addSource,
  listSources,
  planAddSource,
  removeSource,
  setSourcePolicies,
  setSourceState,
  showSource,
  type SourcePolicies,
  type SourcesDeps,
} from '../../services/loader/sources/registration.ts';
import {
  parseSecretRef,
  resolveSecretRef,
  type SecretSources,
} from '../../services/loader/sources/secret-ref.ts';
import { requirePlanAccepted } from '../../services/loader/sources/source-plan.ts';
import { writerSecretVariable } from '../../services/loader/writer-secrets.ts';
import { renderTable, type CliContext } from '../context.ts';
import { planText } from './sources-plan-format.ts';
import { resolveCommand } from './sources-resolve.ts';

interface AddOptions {
  readonly origin: string;
  readonly password: string;
  readonly table: string[];
  readonly family?: string;
  readonly include: string[];
  readonly exclude: string[];
  readonly rename: string[];
  readonly key: string[];
  readonly dryRun?: boolean;
  readonly format: 'json' | 'avro';
  readonly deadLetterPolicy: 'halt' | 'skip';
  readonly schemaChanges: 'hold' | 'add-columns';
  readonly loaderWriter?: string;
  readonly loaderSecret?: string;
  readonly connect: string;
  readonly brokers: string;
  readonly converterRegistry?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function deps(ctx: CliContext, connectUrl: string): SourcesDeps {
  const { executive, adminToken } = ctx.options;
  return {
    executive: new ExecutiveAdmin(executive, adminToken === undefined ? {} : { adminToken }),
    connect: new ConnectClient(connectUrl),
  };
}

/**
 * `table:spec` options grouped by origin table; `--key` takes `table=spec`, and `--exclude` also
 * `table.column` (table names with a `.` are refused anyway).
 */
function perTable(values: readonly string[], what: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const value of values) {
    const colon = separatorOf(value, what);
    if (colon <= 0)
      throw new CuttleError(
        'BAD_REQUEST',
        `--${what} ${value}: expected <table>${what === 'key' ? '=' : ':'}<columns>${what === 'exclude' ? ' or <table>.<column>' : ''}`,
      );
    const specs = value
      .slice(colon + 1)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    out.set(value.slice(0, colon), [...(out.get(value.slice(0, colon)) ?? []), ...specs]);
  }
  return out;
}

function separatorOf(value: string, what: string): number {
  if (what === 'key') return value.indexOf('=');
  const colon = value.indexOf(':');
  return colon < 0 && what === 'exclude' ? value.lastIndexOf('.') : colon;
}

function tableChoices(options: AddOptions): Omit<TableChoice, 'database'>[] {
  const include = perTable(options.include, 'include');
  const keys = perTable(options.key, 'key');
  const named = new Set(options.table.map((spec) => spec.split('=')[0]));
  for (const table of keys.keys())
    if (!named.has(table))
      throw new CuttleError('BAD_REQUEST', `--key ${table}=…: ${table} is not one of the --table options`);
  const exclude = perTable(options.exclude, 'exclude');
  const renames = perTable(options.rename, 'rename');
  return options.table.map((spec) => {
    const [table = '', target] = spec.split('=');
    const [family, targetTable] = target === undefined ? [options.family, undefined] : target.split('.');
    if (family === undefined)
      throw new CuttleError(
        'BAD_REQUEST',
        `--table ${spec}: name its family (<table>=<family>.<table>) or pass --family`,
      );
    const renamed = Object.fromEntries(
      (renames.get(table) ?? []).map((r) => r.split('=') as [string, string]),
    );
    return {
      table,
      family,
      ...(targetTable === undefined ? {} : { targetTable }),
      ...(include.has(table) ? { include: include.get(table) ?? [] } : {}),
      exclude: exclude.get(table) ?? [],
      renames: renamed,
      ...(keys.has(table) ? { keyColumns: keys.get(table) ?? [] } : {}),
    };
  });
}

const localSecrets: SecretSources = {
  env: process.env,
  readFile: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
};

function originOf(options: AddOptions): OriginAddress {
  const url = new URL(options.origin);
  const database = url.pathname.replace(/^\//, '');
  if (database === '')
    throw new CuttleError(
      'BAD_REQUEST',
      `--origin ${options.origin}: name the database (mysql://user@host:port/<database>)`,
    );
  if (url.password !== '')
    throw new CuttleError(
      'INVALID_SECRET_REF',
      '--origin holds a password: leave it out and pass --password env:VARIABLE or file:/path:key, which Kafka Connect resolves on its own host',
    );
  return {
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: parseSecretRef(options.password),
    database,
  };
}

function addCommand(ctx: CliContext): Command {
  return new Command('add')
    .description(
      'register origin tables as a source: map them, create the cuttle tables and the Debezium connector',
    )
    .argument('<name>', 'source name: names the connector and prefixes its topics')
    .requiredOption('--origin <url>', 'origin database, mysql://user@host:port/database')
    .requiredOption(
      '--password <reference>',
      'where the origin password is, here and on every Connect worker: env:VARIABLE or file:/path:key',
    )
    .option('--table <spec>', 'origin table to capture, <table>[=<family>.<table>] (repeat)', collect, [])
    .option('--family <family>', 'family for tables given without one')
    .option('--include <spec>', 'only these columns, <table>:<col>,<col> (repeat)', collect, [])
    .option(
      '--exclude <spec>',
      'leave these columns out, <table>:<col>,<col> or <table>.<col> (repeat)',
      collect,
      [],
    )
    .option('--rename <spec>', 'field names, <table>:<col>=<field>,… (repeat)', collect, [])
    .option(
      '--key <spec>',
      'key columns of a table without a primary key, <table>=<col>,<col> (repeat)',
      collect,
      [],
    )
    .option('--dry-run', 'print the whole mapping plan, warnings and refusals; create nothing')
    .addOption(new Option('--format <format>', 'event format').choices(['json', 'avro']).default('json'))
    .addOption(
      new Option('--dead-letter-policy <policy>', 'a poison event halts its partition or is skipped')
        .choices(['halt', 'skip'])
        .default('halt'),
    )
    .addOption(
      new Option('--schema-changes <policy>', 'new origin columns')
        .choices(['hold', 'add-columns'])
        .default('hold'),
    )
    .option(
      '--loader-writer <writer>',
      "the writer loaders commit this source's changes as (default: its own, source.<name>)",
    )
    .option('--loader-secret <secret>', 'its secret if it must be registered (generated otherwise)')
    .addOption(
      new Option('--connect <url>', 'Kafka Connect REST API')
        .env('CUTTLE_CONNECT_URL')
        .default('http://127.0.0.1:18083'),
    )
    .addOption(
      new Option('--brokers <list>', 'Kafka brokers as the connector reaches them')
        .env('CUTTLE_KAFKA_BROKERS')
        .default('127.0.0.1:19092'),
    )
    .option('--converter-registry <url>', 'Apicurio API for the Avro converters (…/apis/registry/v2)')
    .action(async (name: string, options: AddOptions) => {
      if (options.table.length === 0) throw new CuttleError('BAD_REQUEST', 'name at least one --table');
      const origin = originOf(options);
      const reader = await MysqlOriginSchemaReader.open({
        ...origin,
        password: resolveSecretRef(origin.password, localSecrets),
      });
      try {
        const request = {
          name,
          origin,
          tables: tableChoices(options),
          format: options.format,
          deadLetterPolicy: options.deadLetterPolicy,
          schemaChanges: options.schemaChanges,
          ...(options.loaderWriter === undefined ? {} : { loaderWriter: options.loaderWriter }),
          kafkaBrokers: options.brokers.split(','),
        };
        if (options.dryRun === true) {
          const plan = await planAddSource(request, reader);
          const shown = { tables: plan.tables, warnings: plan.warnings, refusals: plan.refusals };
          ctx.print(shown, () => planText(name, plan));
          // Exit 1 with the refusals as the error (all of them, the first one's code).
          requirePlanAccepted(name, plan);
          return;
        }
        const result = await addSource(
          {
            ...request,
            ...(options.loaderSecret === undefined ? {} : { loaderSecret: options.loaderSecret }),
            ...(options.converterRegistry === undefined
              ? {}
              : { converterRegistryUrl: options.converterRegistry }),
          },
          reader,
          deps(ctx, options.connect),
        );
        ctx.print(result, () =>
          [
            `source ${name} registered; connector ${result.record.connector.name} is running`,
            `tables created: ${result.tablesCreated.join(', ') || '(none, they existed)'}`,
            ...result.warnings.map((w) => `warning: ${w}`),
            ...(result.loaderSecret === undefined
              ? []
              : [
                  `writer ${result.writer} registered, secret: ${result.loaderSecret}`,
                  `(give it to the loaders as ${writerSecretVariable(result.writer)}, or the file <LOADER_WRITER_SECRETS_DIR>/${result.writer}; it is not shown again)`,
                ]),
          ].join('\n'),
        );
      } finally {
        await reader.close();
      }
    });
}

export function sourcesCommand(ctx: CliContext): Command {
  const command = new Command('sources').description('register and manage Debezium sources');
  const connectOption = () =>
    new Option('--connect <url>', 'Kafka Connect REST API')
      .env('CUTTLE_CONNECT_URL')
      .default('http://127.0.0.1:18083');
  command.addCommand(addCommand(ctx));
  command.addCommand(resolveCommand(ctx));
  command
    .command('list')
    .description('registered sources')
    .addOption(connectOption())
    .action(async (options: { connect: string }) => {
      const sources = await listSources(deps(ctx, options.connect).executive);
      ctx.print(sources, () =>
        renderTable(
          ['SOURCE', 'STATE', 'FORMAT', 'TABLES', 'UPDATED'],
          sources.map((s) => [
            s.name,
            s.state,
            s.config.format ?? 'json',
            s.config.tables.map((t) => `${t.source.table}→${t.target.family}.${t.target.table}`).join(' '),
            new Date(s.updatedAt).toISOString(),
          ]),
        ),
      );
    });
  command
    .command('show')
    .description('a source: mapping, connector properties and state')
    .argument('<name>')
    .addOption(connectOption())
    .action(async (name: string, options: { connect: string }) => {
      const shown = await showSource(name, deps(ctx, options.connect));
      ctx.print(shown, () => JSON.stringify(shown, null, 2));
    });
  for (const [verb, state] of [
    ['pause', 'paused'],
    ['resume', 'active'],
  ] as const) {
    command
      .command(verb)
      .description(`${verb} a source's connector and its loading`)
      .argument('<name>')
      .addOption(connectOption())
      .action(async (name: string, options: { connect: string }) => {
        const record = await setSourceState(name, state, deps(ctx, options.connect));
        ctx.print(record, () => `source ${name} is ${record.state}`);
      });
  }
  command
    .command('set')
    .description("change a source's policies; loaders follow on their next poll, without a restart")
    .argument('<name>')
    .addOption(
      new Option('--dead-letter-policy <policy>', 'a poison event halts its partition or is skipped').choices(
        ['halt', 'skip'],
      ),
    )
    .addOption(new Option('--schema-changes <policy>', 'new origin columns').choices(['hold', 'add-columns']))
    .addOption(
      new Option('--truncate <policy>', 'TRUNCATE at the origin').choices(['apply', 'hold', 'ignore']),
    )
    .addOption(connectOption())
    .action(async (name: string, options: SourcePolicies & { connect: string }) => {
      const { connect, ...policies } = options;
      const record = await setSourcePolicies(name, policies, deps(ctx, connect));
      const { deadLetterPolicy, schemaChanges, truncate } = record.config;
      ctx.print(
        record,
        () =>
          `source ${name}: dead letters ${deadLetterPolicy ?? 'halt'}, schema changes ${schemaChanges ?? 'hold'}, truncate ${truncate ?? 'apply'}`,
      );
    });
  command
    .command('remove')
    .description(
      "delete the connector, the registration and the source's writer when no other source uses it (cuttle tables and rows stay)",
    )
    .argument('<name>')
    .addOption(connectOption())
    .action(async (name: string, options: { connect: string }) => {
      const { writerRemoved } = await removeSource(name, deps(ctx, options.connect));
      ctx.print({ removed: name, writerRemoved }, () =>
        writerRemoved === null
          ? `source ${name} removed`
          : `source ${name} removed, with its writer ${writerRemoved}`,
      );
    });
  return command;
}
